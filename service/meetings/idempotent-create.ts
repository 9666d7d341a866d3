import { createHash, randomUUID } from "node:crypto";
import { canonicalJson } from "../../common/canonical-json.ts";
import { IMMEDIATE, retry, sleep } from "../../common/retry.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import { SendWindowClosed } from "../zoom/zoom-api.ts";
import { isAmbiguous } from "../zoom/zoom-errors.ts";
import { type Decision, type IdempotencyRecord, storeKey } from "./idempotency-store.ts";
import { type ResolvedStart, resolveStart } from "./meeting-time.ts";
import { checkAlternativeHosts, getMeeting, type MeetingsDeps, withInvitation, zoomCreateBody, zoomPassword } from "./meetings.ts";
import { isMeetingGone, replayOf } from "./meeting-life.ts";
import { type ExpectedMeeting, findCreatedMeeting, type Search } from "./recovery.ts";
import type { CreateMeetingRequest, Meeting } from "./schemas.ts";
import { toMeeting } from "./zoom-meeting.ts";

/**
 * Create a Zoom meeting at most once per (organization, Idempotency-Key or booking id):
 *  1. claim the key in the shared store (pending, with a lease), or find it done / busy;
 *  2. POST to Zoom; on an ambiguous failure (timeout, reset, 5xx, unreadable answer) look for the
 *     meeting among the host's upcoming ones before trying again (recovery.ts);
 *  3. record the meeting id (done) for 24 h+, or release the claim when Zoom surely created nothing.
 * A done record follows its meeting's life (meeting-life.ts): once the meeting is cancelled through
 * the API or found deleted in Zoom, the key creates anew, with the same request or a new one.
 * A claim whose lease ran out (its replica died between Zoom's answer and step 3) is taken over by
 * the next retry, which runs the same recovery before creating anything.
 *
 * What remains (documented in the OpenAPI error texts and the report): a second meeting is possible
 * only if Zoom created one whose answer was lost AND recovery cannot see it: (a) Zoom handles the
 * request more than `settleMs` after our timeout gave up on it, or its list lags behind its create
 * (not observed, not documented), (b) someone edits the meeting's topic, start or
 * duration, or ends it, between the lost answer and the retry's recovery, or (c) a replica stalls
 * longer than the lease and then creates: no create is sent later than `sendMarginMs` before the
 * lease ends (a send that started earlier has its answer or its timeout by then), and should one
 * still race, `finish` keeps the first recorded meeting and deletes the late one. A recovery search
 * that cannot finish leaves the claim pending (IDEMPOTENCY_IN_PROGRESS) and ends its lease: the next
 * retry takes it over and searches again, never creates blindly. A record deleted by pruning (25 h) makes a later retry
 * with the same key create anew.
 */

export interface IdempotencyTiming {
  /** How long a pending claim is presumed alive: longer than any create attempt. Default 2 min. */
  readonly leaseMs: number;
  /** How long a record lives after it is written. Default 25 h (the contract says 24 h+). */
  readonly ttlMs: number;
  /** How long a concurrent duplicate waits for the first request before 409. Default 10 s. */
  readonly waitMs: number;
  readonly pollMs: number;
  /** Zoom create attempts after ambiguous failures that recovery proved harmless. Default 3. */
  readonly createAttempts: number;
  /**
   * No create is sent later than this before the lease ends: longer than one send can last (connect,
   * headers and body timeouts) plus clock skew between replicas. Default 35 s.
   */
  readonly sendMarginMs: number;
  /**
   * After an ambiguous failure, how long to wait before searching: a slow Zoom may still handle the
   * request after our timeout gave up on it, and a search before that sees nothing. Default 5 s.
   */
  readonly settleMs: number;
}

export const DEFAULT_TIMING: IdempotencyTiming = {
  leaseMs: 120_000,
  ttlMs: 25 * 3_600_000,
  waitMs: 10_000,
  pollMs: 100,
  createAttempts: 3,
  sendMarginMs: 35_000,
  settleMs: 5_000,
};

export interface CreateResult {
  readonly meeting: Meeting;
  /** true when an earlier request with the same key created it. */
  readonly replayed: boolean;
}

type Claim =
  | { readonly kind: "claimed"; readonly record: IdempotencyRecord; readonly recover: boolean }
  | { readonly kind: "done"; readonly meetingId: string }
  /** Done with another request: refused unless its meeting is gone. */
  | { readonly kind: "reused"; readonly meetingId: string }
  | { readonly kind: "busy" }
  | { readonly kind: "mismatch" };

export { storeKey };

export function fingerprintOf(request: CreateMeetingRequest): string {
  return createHash("sha256").update(canonicalJson(request)).digest("base64url").slice(0, 22);
}

export async function createMeetingIdempotently(
  deps: MeetingsDeps,
  request: CreateMeetingRequest,
  idempotencyKey: string | undefined,
  timing: IdempotencyTiming = DEFAULT_TIMING,
): Promise<CreateResult> {
  const start = resolveStart(request);
  const host = await hostOf(deps, request);
  const key = storeKey(request.organizationId, idempotencyKey ?? `booking:${request.bookingId}`);
  const attempt = { fingerprint: fingerprintOf(request), owner: randomUUID(), host };
  const rounds = Math.max(1, Math.ceil(timing.waitMs / timing.pollMs));
  const gone = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const now = deps.clock();
    const claim = await deps.idempotency.transact(key, (current) => decideClaim(current, attempt, now, timing, gone));
    if (claim.kind === "mismatch") throw reused();
    if (claim.kind === "reused") {
      if (!(await isMeetingGone(deps, request.organizationId, claim.meetingId))) throw reused();
      gone.add(claim.meetingId);
      continue;
    }
    if (claim.kind === "done") {
      const meeting = await replayOf(deps, request.organizationId, claim.meetingId);
      if (meeting) return { meeting, replayed: true };
      deps.logger.warn(
        { bookingId: request.bookingId, meetingId: claim.meetingId },
        "the booking's meeting is gone at Zoom: creating anew",
      );
      gone.add(claim.meetingId);
      continue;
    }
    if (claim.kind === "claimed") {
      // NB: the rare paths (takeover, search, stall, release) log with the booking and the claim they concern
      const claimLog = deps.logger.child({ bookingId: request.bookingId, claim: attempt.owner.slice(0, 8) });
      if (claim.recover) claimLog.warn("took over a pending claim (its owner died, stalled or gave up): searching Zoom before creating");
      const claimDeps: MeetingsDeps = { ...deps, logger: claimLog };
      const expected = { topic: request.topic, durationMinutes: request.durationMinutes, startInstant: start.instant };
      const run = { key, record: claim.record, recover: claim.recover, request, start, expected, timing };
      const result = await runClaim(claimDeps, run).catch(async (error: unknown) => {
        await endLease(claimDeps, run);
        throw error;
      });
      return { ...result, meeting: await withInvitation(claimDeps, request.organizationId, result.meeting) };
    }
    await sleep(timing.pollMs * (0.5 + deps.random()));
  }
  throw new ServiceError(
    ErrorCode.IdempotencyInProgress,
    "A request with this idempotency key is still creating the meeting; retry shortly.",
    { retryAfterSeconds: 1 },
  );
}

function reused(): ServiceError {
  return new ServiceError(ErrorCode.IdempotencyMismatch, "This idempotency key (or booking id) was used for a different meeting request.");
}

/** The host the booking names, or the organization's default (hostPolicy); `me` is the admin who connected. */
async function hostOf(deps: MeetingsDeps, request: CreateMeetingRequest): Promise<string> {
  if (request.host !== undefined) return request.host;
  const { hostPolicy } = await deps.settings.get(request.organizationId);
  if (hostPolicy === "required")
    throw new ServiceError(ErrorCode.BadRequest, "body.host: the organization's hostPolicy is required: name the booking's host", {
      details: { field: "body.host" },
    });
  return "me";
}

/**
 * Checks the host and alternative hosts before anything is created (HOST_CANNOT_HOST), then builds
 * Zoom's body; a generated passcode follows the host's requirements.
 */
async function createBody(deps: MeetingsDeps, request: CreateMeetingRequest, start: ResolvedStart): Promise<Record<string, unknown>> {
  const [host] = await Promise.all([
    deps.hosts.check(request.organizationId, request.host ?? "me", "host"),
    checkAlternativeHosts(deps, request.organizationId, request.alternativeHosts),
  ]);
  return zoomCreateBody(request, start, await zoomPassword(deps, request, host.id));
}

/**
 * Pure: what a request does with the key's current record. `gone` holds meetings this request saw
 * gone (cancelled or deleted in Zoom): a done record naming one is replaced by a fresh claim.
 */
export function decideClaim(
  current: IdempotencyRecord | undefined,
  attempt: { fingerprint: string; owner: string; host: string },
  now: number,
  timing: IdempotencyTiming,
  gone: ReadonlySet<string> = new Set(),
): Decision<Claim> {
  const meetingId = current?.state === "done" ? current.meetingId : undefined;
  if (meetingId !== undefined && !gone.has(meetingId))
    return { result: current?.fingerprint === attempt.fingerprint ? { kind: "done", meetingId } : { kind: "reused", meetingId } };
  const pending = current?.state === "pending" ? current : undefined;
  if (pending && pending.fingerprint !== attempt.fingerprint) return { result: { kind: "mismatch" } };
  if (pending && pending.leaseUntil > now) return { result: { kind: "busy" } };
  // NB: a taken-over claim keeps its claimedAt: recovery must see meetings the dead owner created.
  const record: IdempotencyRecord = {
    fingerprint: attempt.fingerprint,
    state: "pending",
    owner: attempt.owner,
    claimedAt: pending?.claimedAt ?? now,
    leaseUntil: now + timing.leaseMs,
    expiresAt: now + timing.ttlMs,
    host: attempt.host,
  };
  return { change: { put: record }, result: { kind: "claimed", record, recover: pending !== undefined } };
}

interface ClaimRun {
  readonly key: string;
  readonly record: IdempotencyRecord;
  readonly recover: boolean;
  readonly request: CreateMeetingRequest;
  readonly start: ResolvedStart;
  readonly expected: ExpectedMeeting;
  readonly timing: IdempotencyTiming;
}

async function runClaim(deps: MeetingsDeps, run: ClaimRun): Promise<CreateResult> {
  const organizationId = run.request.organizationId;
  if (run.recover) {
    const search = await findCreatedMeeting(deps, organizationId, run.record, run.expected);
    if (search.kind === "found") return { meeting: await finish(deps, run, search.meetingId, undefined), replayed: true };
    if (search.kind === "unknown") throw stalled(deps, run, search.reason);
  }
  const body = await createBody(deps, run.request, run.start).catch(async (error: unknown) => {
    // NB: a taken-over claim stays pending: its dead owner may have created the meeting, and only a
    // claim that keeps its claimedAt searches for it (a fresh one after a release would not).
    if (!run.recover) await release(deps, run);
    throw error;
  });
  const created = await retry(() => createOrRecover(deps, run, body), {
    attempts: run.timing.createAttempts,
    retryable: () => false,
    retryResult: (outcome) => outcome.kind === "ambiguous",
    onRetry: ({ value }, attempt) => {
      const code = value?.kind === "ambiguous" ? (value.error as ServiceError).code : undefined;
      deps.logger.warn({ attempt, code }, "zoom create ambiguous; no meeting found, creating again");
    },
    // NB: no wait: the recovery lookup between two creates already spaces them.
    ...IMMEDIATE,
  });
  if (created.kind === "ambiguous") {
    deps.logger.warn("zoom create ambiguous on every attempt, and Zoom created nothing: claim released");
    await release(deps, run);
    throw created.error;
  }
  if (created.kind === "stalled") throw stalled(deps, run, created.reason);
  // NB: outside the create: if recording fails, the claim must stay pending (never released).
  if (created.kind === "found") return { meeting: await finish(deps, run, created.meetingId, undefined), replayed: false };
  return { meeting: await finish(deps, run, created.meeting.id, created.meeting), replayed: false };
}

type CreateOutcome =
  | { readonly kind: "created"; readonly meeting: Meeting }
  | { readonly kind: "found"; readonly meetingId: string }
  /** Zoom's answer was lost and recovery found no meeting from this claim. */
  | { readonly kind: "ambiguous"; readonly error: unknown }
  /** Whether Zoom created a meeting is unknown and may not be settled now: the claim stays pending. */
  | { readonly kind: "stalled"; readonly reason: string };

/** One POST to Zoom; after an ambiguous failure, looks for the meeting it may have created. */
async function createOrRecover(deps: MeetingsDeps, run: ClaimRun, body: Record<string, unknown>): Promise<CreateOutcome> {
  const organizationId = run.request.organizationId;
  try {
    const created = await deps.zoom.call({
      organizationId,
      method: "POST",
      path: `/users/${encodeURIComponent(run.record.host)}/meetings`,
      body,
      retry: "create",
      sendBefore: run.record.leaseUntil - run.timing.sendMarginMs,
    });
    return { kind: "created", meeting: toMeeting(created.json, created.status) };
  } catch (error) {
    // NB: this attempt was not sent, but an earlier one of this claim (or its dead owner's) may have been.
    if (error instanceof SendWindowClosed) return { kind: "stalled", reason: "the claim's lease is running out" };
    if (!isAmbiguous(error)) {
      await release(deps, run);
      throw error;
    }
    // NB: if this lookup fails too, the claim stays pending: after the lease a retry recovers.
    await sleep(run.timing.settleMs);
    return afterLostAnswer(await findCreatedMeeting(deps, organizationId, run.record, run.expected), error);
  }
}

function afterLostAnswer(search: Search, error: unknown): CreateOutcome {
  if (search.kind === "found") return { kind: "found", meetingId: search.meetingId };
  if (search.kind === "unknown") return { kind: "stalled", reason: search.reason };
  return { kind: "ambiguous", error };
}

/**
 * Whether Zoom created the meeting is not settled: the claim stays pending, keeping its claimedAt, and
 * its lease is ended (createMeetingIdempotently) so that the next retry takes it over and searches
 * again instead of waiting the lease out; by then settleMs has passed since this claim's last send.
 */
function stalled(deps: MeetingsDeps, run: ClaimRun, reason: string): ServiceError {
  const waitMs = run.timing.settleMs;
  deps.logger.warn({ reason, retryAfterMs: waitMs }, "zoom create left pending: whether Zoom created the meeting is not settled");
  return new ServiceError(
    ErrorCode.IdempotencyInProgress,
    "Whether Zoom created this meeting could not be settled yet (its answer was lost); retry with the same key after Retry-After.",
    { retryAfterSeconds: Math.ceil(waitMs / 1000) + 1 },
  );
}

/**
 * Hands a claim this request leaves pending (unsettled, a failed search, lookup or record) to the
 * next retry at once: its lease ends now, its claimedAt stays (the taker searches for meetings
 * Zoom created since). Every send of this request has its answer or its timeout by now. A claim
 * released, done or taken over by then is left alone; if the store cannot be written, the lease
 * runs its course.
 */
async function endLease(deps: MeetingsDeps, run: ClaimRun): Promise<void> {
  const now = deps.clock();
  await deps.idempotency
    .transact(
      run.key,
      (current): Decision<void> =>
        current?.state === "pending" && current.owner === run.record.owner && current.leaseUntil > now
          ? { change: { put: { ...current, leaseUntil: now } }, result: undefined }
          : { result: undefined },
    )
    .catch((error: unknown) => deps.logger.warn({ err: error }, "could not end the claim's lease: a retry waits for it"));
}

/** Marks the claim done; if another attempt completed it first (lease lost), its meeting wins and ours is deleted. */
async function finish(deps: MeetingsDeps, run: ClaimRun, meetingId: string, meeting: Meeting | undefined): Promise<Meeting> {
  const now = deps.clock();
  const winner = await deps.idempotency.transact(run.key, (current): Decision<string> => {
    if (current?.state === "done" && current.meetingId !== undefined) return { result: current.meetingId };
    const done: IdempotencyRecord = { ...run.record, state: "done", meetingId, leaseUntil: now, expiresAt: now + run.timing.ttlMs };
    return { change: { put: done }, result: meetingId };
  });
  const organizationId = run.request.organizationId;
  if (winner !== meetingId) {
    deps.logger.error({ meetingId, keptMeetingId: winner }, "duplicate meeting after a lost lease; deleting it");
    await deps.zoom
      .call({ organizationId, method: "DELETE", path: `/meetings/${meetingId}`, retry: "idempotent" })
      .catch((error: unknown) =>
        deps.logger.error(
          { meetingId, code: (error as ServiceError).code },
          "could not delete the duplicate meeting: delete it at Zoom by hand",
        ),
      );
    return getMeeting(deps, organizationId, winner);
  }
  return meeting ?? getMeeting(deps, organizationId, meetingId);
}

/** Zoom surely created nothing: free the key so a retry starts afresh. */
async function release(deps: MeetingsDeps, run: ClaimRun): Promise<void> {
  await deps.idempotency.transact(
    run.key,
    (current): Decision<void> =>
      current?.state === "pending" && current.owner === run.record.owner
        ? { change: { remove: true }, result: undefined }
        : { result: undefined },
  );
}
