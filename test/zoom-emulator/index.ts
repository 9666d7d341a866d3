/**
 * A strict Zoom emulator (OAuth, users, meetings, rate limits, webhooks, faults) for unit,
 * integration and end-to-end tests, the local sandbox and benchmarks. It behaves as
 * /work/shared/ZOOM.md describes, including the unpleasant parts; see README.md.
 *
 *   const zoom = await startZoomEmulator({ clock: { frozenAt: "2025-03-10T09:00:00Z" } });
 *   zoom.url                                   // http://127.0.0.1:PORT: oauthBaseUrl and apiBaseUrl (API under /v2)
 *   zoom.approve(authorizeUrl, "admin@acme.example") // -> redirect_uri?code=..&state=.. (throws ZoomAuthorizeError)
 *   zoom.installFromMarketplace(clientId, login)     // -> redirect_uri?code=.. (no state)
 *   zoom.clock.advance(3_600_000); zoom.clock.set("2025-03-11T00:00:00Z")
 *   zoom.faults.inject("POST /oauth/token", { kind: "dropResponse" }, { times: 1 }); zoom.faults.clear()
 *   zoom.inspect()  // { grants, refreshCalls, reusedRefreshTokens, meetingsPerUser, meetings, requestsPerRoute, webhookDeliveries,
 *                   //   tokenRequests (wall-clock timed), overlappingRefreshes }
 *   zoom.revokeGrant(grantId); zoom.deleteUser(userId); zoom.setAppStatus(clientId, "disabledByZoom")
 *   zoom.regenerateClientSecret(clientId, newSecret)   // the old secret is refused at once
 *   zoom.startMeeting(id); zoom.endMeeting(id)
 *   zoom.seedUser({ type: 1, status: "pending", passcode: { requirement: { length: 8, only_allow_numeric: true } } })
 *   zoom.setUser("member@acme.example", { status: "inactive" }); zoom.dailyWritesLeft("acme-member")
 *   await zoom.webhooks.sendUrlValidation(clientId, { url }); await zoom.webhooks.sendDeauthorized(clientId, { accountId, userId }, { url })
 *   await zoom.webhooks.runDue()  // retries (5/20/60 min) and 72-hour re-validation, on the emulator clock
 *   await zoom.webhooks.idle()    // every delivery started so far (e.g. by revokeGrant) has finished
 *   zoom.marketplace.addServerToServerApp({...}); zoom.marketplace.apps()   // S2S apps, apps made by the Marketplace API
 *   await zoom.close()
 *
 * Route keys for faults and counts are in ROUTE_KEYS (e.g. "GET /v2/meetings/{meetingId}"; "*" = all).
 */
export { type ClockControl, type ClockOptions, createClock } from "./clock.ts";
export type { BehaviourOptions } from "./context.ts";
export { startZoomEmulator, type ZoomEmulator, ZoomAuthorizeError, type ZoomEmulatorOptions } from "./emulator.ts";
export { OAUTH_REASONS } from "./errors.ts";
export type { Fault, FaultScript } from "./faults.ts";
export { CHAOS_MIX, RandomFaultPlan, type RandomFaultOptions } from "./random-faults.ts";
export { BASIC_MEETING_LIMIT_MINUTES } from "./hosts.ts";
export type { GrantSummary, Inspection, MeetingSummary, OccurrenceSummary } from "./inspection.ts";
export { generatePasscode, passcodeProblems } from "./passcodes.ts";
export { MAX_OCCURRENCES } from "./recurrence.ts";
export { DAILY_LIMIT_MESSAGE, PER_SECOND_LIMITS, PER_SECOND_MESSAGE } from "./rate-limits.ts";
export { ROUTE_KEYS } from "./routes.ts";
export type { MarketplaceAppSummary, MarketplaceLevers } from "./marketplace-levers.ts";
export { DEFAULT_S2S_APP } from "./s2s.ts";
export { CLASSIC_SCOPES, DEFAULT_SEED, GRANULAR_SCOPES, type PasswordRequirement, type Seed, type SeedInput } from "./seed.ts";
export type { AppStatus, User } from "./store.ts";
export type { SeedUserInput, UserChanges } from "./user-levers.ts";
export { type Delivery, encryptedToken, signWebhook, type UrlValidationResult } from "./webhooks.ts";
