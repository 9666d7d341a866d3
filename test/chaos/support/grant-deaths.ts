// Why a grant died during a chaos run. Zoom rotates the refresh token on every refresh with no grace
// (ZOOM.md): a replica SIGKILLed after Zoom handled its refresh and before it stored the new tokens
// loses the grant, whatever the service does. Such a death is told apart from one of our own making
// by the refresh lock: the killed replica still held it, the next refresher took it over from that
// pod (the service logs the previous holder) and was refused, and the last refresh Zoom handled
// before the refusal was handled before that kill (the lock being exclusive, it was the killed
// holder's). Any other death is ours.
import type { TokenRequest } from "../../zoom-emulator/store.ts";

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
  readonly killInWindow: { readonly pod: string; readonly msAfterZoomHandled: number; readonly takenOverBy: string } | undefined;
}

const TAKEOVER_MSG = "took over the token refresh lock left by another replica";

/** The refresh lock takeovers in a replica's JSON log lines. */
export function lockTakeovers(pod: string, lines: readonly string[]): LockTakeover[] {
  return lines.flatMap((line) => {
    if (!line.includes(TAKEOVER_MSG)) return [];
    const entry = JSON.parse(line) as { time: number; previousHolder: string };
    return [{ at: entry.time, pod, previousHolder: entry.previousHolder }];
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
  const takeover = takeovers()
    .filter((t) => t.at > rotated.handledAt! && t.at <= refused.arrivedAt + 50)
    .find((t) => kills.some((k) => k.pod === t.previousHolder && k.at >= rotated.handledAt! && k.at <= t.at));
  const kill = takeover && kills.find((k) => k.pod === takeover.previousHolder && k.at >= rotated.handledAt!);
  return {
    refusedAt: refused.arrivedAt,
    killInWindow:
      takeover && kill ? { pod: kill.pod, msAfterZoomHandled: kill.at - rotated.handledAt!, takenOverBy: takeover.pod } : undefined,
  };
}
