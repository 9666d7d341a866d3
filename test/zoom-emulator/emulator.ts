import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ClockControl, type ClockOptions, createClock } from "./clock.ts";
import type { BehaviourOptions, EmulatorContext } from "./context.ts";
import { type Fault, FaultPlan, type FaultScript } from "./faults.ts";
import { endGrant } from "./grants.ts";
import { createEmulatorServer } from "./http-server.ts";
import { createIdSource } from "./ids.ts";
import { type Inspection, inspect } from "./inspection.ts";
import { checkAuthorize, checkConsenter, consent } from "./oauth-authorize.ts";
import { type MarketplaceLevers, marketplaceLevers } from "./marketplace-levers.ts";
import { RateLimiter } from "./rate-limits.ts";
import { DEFAULT_SEED, parseSeed, type Seed, type SeedInput } from "./seed.ts";
import { type AppStatus, Store } from "./store.ts";
import { type UserLevers, userLevers } from "./user-levers.ts";
import { Webhooks } from "./webhooks.ts";
import { type MeetingWebhooks, meetingWebhooks } from "./meeting-webhooks.ts";

export interface ZoomEmulatorOptions {
  /** Accounts, users and apps. Default: DEFAULT_SEED (acme with a classic and a granular app, globex). */
  readonly seed?: SeedInput;
  readonly clock?: ClockOptions;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The `api_url` of token responses. Default: the emulator's own URL. */
  readonly apiUrl?: string;
  readonly behaviour?: Partial<BehaviourOptions>;
  /** How long a webhook target may take to answer. Default 3000 ms, as Zoom. */
  readonly webhookTimeoutMs?: number;
  /** Where faults come from; default a scripted FaultPlan (random-faults.ts adds faults at a rate). */
  readonly faultPlan?: FaultPlan;
}

/** Thrown by `approve` when Zoom would show its error page instead of redirecting. */
export class ZoomAuthorizeError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(`Zoom authorize error ${code}: ${message}`);
    this.name = "ZoomAuthorizeError";
    this.code = code;
  }
}

export interface ZoomEmulator extends UserLevers {
  /** http://127.0.0.1:PORT: the OAuth base (`/oauth/...`) and the api_url (API under `/v2`). */
  readonly url: string;
  readonly clock: ClockControl;
  readonly seed: Seed;
  /** Consent as `login` (e-mail or user id) to an authorize URL; returns the redirect with code (and state). */
  approve(authorizeUrl: string, login: string): string;
  /** The redirect a Marketplace "Add" produces: a code and no state. */
  installFromMarketplace(clientId: string, login: string): string;
  readonly faults: {
    inject(route: string, fault: Fault, script?: FaultScript): void;
    clear(route?: string): void;
  };
  inspect(): Inspection;
  /** Admin revocation / uninstall of a grant (sends app_deauthorized when the app has an eventUrl). */
  revokeGrant(grantId: string): void;
  deleteUser(userId: string): void;
  setAppStatus(clientId: string, status: AppStatus): void;
  /** The Marketplace's "Regenerate" of the Client Secret: the old secret is refused at once. */
  regenerateClientSecret(clientId: string, newSecret: string): void;
  /** The host joined (as opening the start_url does): DELETE answers 3002. */
  startMeeting(meetingId: string): void;
  /** The meeting is over: GET answers 3001, DELETE 3007. */
  endMeeting(meetingId: string): void;
  /** Server-to-Server apps and the General apps the Marketplace API made (marketplace-levers.ts). */
  readonly marketplace: MarketplaceLevers;
  readonly webhooks: Pick<Webhooks, "sendUrlValidation" | "sendDeauthorized" | "runDue" | "idle" | "deliveries">;
  /** Zoom's meeting events, as a host acting in Zoom itself causes them (meeting-webhooks.ts). */
  readonly meetingWebhooks: MeetingWebhooks;
  close(): Promise<void>;
}

const DEFAULT_BEHAVIOUR: BehaviourOptions = {
  revokeGrantOnRefreshReuse: false,
  refreshTokenTtlMs: 90 * 24 * 60 * 60_000,
  rateLimits: true,
  deauthorizeOnRevoke: true,
};

export async function startZoomEmulator(options: ZoomEmulatorOptions = {}): Promise<ZoomEmulator> {
  const seed = parseSeed(options.seed ?? DEFAULT_SEED);
  const clock = createClock(options.clock);
  const store = new Store(seed, clock.now());
  const webhooks = new Webhooks(store, clock, options.webhookTimeoutMs ?? 3000);
  const origin = { url: "" };
  const ctx: EmulatorContext = {
    store,
    clock,
    ids: createIdSource(),
    limiter: new RateLimiter(),
    behaviour: { ...DEFAULT_BEHAVIOUR, ...options.behaviour },
    baseUrl: () => origin.url,
    apiUrl: () => options.apiUrl ?? origin.url,
    onGrantRevoked: (grantId) => notifyRevoked(ctx, webhooks, grantId),
  };
  const faults = options.faultPlan ?? new FaultPlan();
  const server = createEmulatorServer(ctx, faults);
  origin.url = await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  return {
    url: origin.url,
    clock,
    seed,
    ...controls(ctx),
    ...userLevers(ctx),
    faults: { inject: (route, fault, script) => faults.inject(route, fault, script), clear: (route) => faults.clear(route) },
    inspect: () => inspect(store, webhooks),
    marketplace: marketplaceLevers(store),
    webhooks,
    meetingWebhooks: meetingWebhooks(ctx, webhooks),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await webhooks.idle();
    },
  };
}

async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
}

type Controls = Pick<
  ZoomEmulator,
  | "approve"
  | "installFromMarketplace"
  | "revokeGrant"
  | "deleteUser"
  | "setAppStatus"
  | "regenerateClientSecret"
  | "startMeeting"
  | "endMeeting"
>;

/** The test-side levers: what a Zoom admin, a host or the Marketplace would do. */
function controls(ctx: EmulatorContext): Controls {
  const { store } = ctx;
  return {
    approve: (authorizeUrl, login) => approve(ctx, new URL(authorizeUrl).searchParams, login),
    installFromMarketplace(clientId, login) {
      const app = must(store.apps.get(clientId), `app ${clientId}`);
      return approve(ctx, new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: app.redirectUrl }), login);
    },
    revokeGrant: (grantId) => endGrant(ctx, must(store.grants.get(grantId), `grant ${grantId}`).id, "revoked"),
    deleteUser(userId) {
      must(store.users.get(userId), `user ${userId}`).deleted = true;
    },
    setAppStatus(clientId, status) {
      must(store.apps.get(clientId), `app ${clientId}`).status = status;
    },
    regenerateClientSecret(clientId, newSecret) {
      must(store.apps.get(clientId), `app ${clientId}`).clientSecret = newSecret;
    },
    startMeeting(id) {
      must(store.meetings.get(id), `meeting ${id}`).status = "started";
    },
    endMeeting(id) {
      must(store.meetings.get(id), `meeting ${id}`).status = "finished";
    },
  };
}

function approve(ctx: EmulatorContext, params: URLSearchParams, login: string): string {
  const checked = checkAuthorize(ctx, params);
  if ("failure" in checked) throw new ZoomAuthorizeError(checked.failure.code, checked.failure.message);
  const user = checkConsenter(ctx, checked.ok.app, login);
  if ("failure" in user) throw new ZoomAuthorizeError(user.failure.code, user.failure.message);
  return consent(ctx, checked.ok, user.ok);
}

function notifyRevoked(ctx: EmulatorContext, webhooks: Webhooks, grantId: string): void {
  const grant = ctx.store.grants.get(grantId);
  const app = grant && ctx.store.apps.get(grant.clientId);
  if (!grant || !app?.eventUrl || !ctx.behaviour.deauthorizeOnRevoke) return;
  void webhooks.sendDeauthorized(grant.clientId, { accountId: grant.accountId, userId: grant.userId });
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`zoom-emulator: no ${what}`);
  return value;
}
