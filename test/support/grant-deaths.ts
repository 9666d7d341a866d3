// Why a grant died during a chaos run. Zoom rotates the refresh token on every refresh with no grace
// (ZOOM.md): a replica SIGKILLed after its refresh reached Zoom and before it stored the new tokens
// loses the grant whatever the service does (Zoom handles a request it received even if its client
// died). Such a death is told apart from one of our own making by the refresh lock: the killed replica
// still held it, the next refresher took it over from that pod (the service logs the previous holder)
// and was refused, and the last refresh Zoom handled before the refusal had reached Zoom before that
// kill (the lock being exclusive, it was the killed holder's). Any other death is ours.
import type { TokenRequest } from "../zoom-emulator/store.ts";

export interface Kill {
  readonly pod: string;
  readonly at: number;
}

export interface LockTakeover {
  /** When the new holder logged it (its wall clock, ms). */
  readonly at: number;
  readonly pod: string;
  readonly previousHolder: string;
}

export interface GrantDeathCause {
  /** The refresh refused with invalid_grant (the first after `since`). */
  readonly refusedAt: number;
  /** A kill inside the answer-to-write window of the refresh before it, if that is what happened. */
  readonly killInWindow: KillInWindow | undefined;
}

export interface KillInWindow {
  readonly pod: string;
  /** From the refresh's arrival at Zoom to the kill. */
  readonly killMsAfterArrival: number;
  /** Zoom handled the refresh after the kill (its client was already gone). */
  readonly handledAfterKill: boolean;
  readonly takenOverBy: string;
}

/** A request its sender wrote just before it died may reach Zoom this long after the kill was sent. */
const ARRIVAL_SLACK_MS = 200;

const TAKEOVER_MSG = "took over the token refresh lock left by another replica";

/** The refresh lock takeovers in a replica's JSON log lines. */
export function lockTakeovers(pod: string, lines: readonly string[]): LockTakeover[] {
  return lines.flatMap((line) => {
    if (!line.includes(TAKEOVER_MSG)) return [];
    const entry = JSON.parse(line) as { time: string | number; previousHolder: string };
    // NB: the service logs ISO times (common/logger.ts); epoch ms are read too
    return [{ at: typeof entry.time === "number" ? entry.time : Date.parse(entry.time), pod, previousHolder: entry.previousHolder }];
  });
}

/** The first refused refresh after `since` and, if it is one, the kill that caused it; undefined if none was refused. */
export function grantDeathCause(
  since: number,
  requests: readonly Readonly<TokenRequest>[],
  kills: readonly Kill[],
  takeovers: () => readonly LockTakeover[],
): GrantDeathCause | undefined {
  const refreshes = requests.filter((r) => r.grantType === "refresh_token" && r.handledAt !== undefined);
  const refused = refreshes.find((r) => r.status === 400 && r.arrivedAt >= since);
  if (!refused) return undefined;
  const rotated = refreshes.filter((r) => r.status === 200 && r.handledAt! < refused.arrivedAt).at(-1);
  if (!rotated) return { refusedAt: refused.arrivedAt, killInWindow: undefined };
  // NB: 50 ms of slack: the takeover's log time and the emulator's arrival time are two processes' readings of one clock
  const killOf = (t: LockTakeover) =>
    kills.find((k) => k.pod === t.previousHolder && k.at >= rotated.arrivedAt - ARRIVAL_SLACK_MS && k.at <= t.at);
  const takeover = takeovers()
    .filter((t) => t.at > rotated.arrivedAt && t.at <= refused.arrivedAt + 50)
    .find((t) => killOf(t) !== undefined);
  const kill = takeover && killOf(takeover);
  if (!takeover || !kill) return { refusedAt: refused.arrivedAt, killInWindow: undefined };
  return {
    refusedAt: refused.arrivedAt,
    killInWindow: {
      pod: kill.pod,
      killMsAfterArrival: kill.at - rotated.arrivedAt,
      handledAfterKill: rotated.handledAt! > kill.at,
      takenOverBy: takeover.pod,
    },
  };
}
