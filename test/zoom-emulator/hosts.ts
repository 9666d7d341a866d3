import type { EmulatorContext } from "./context.ts";
import { API_ERRORS, apiError } from "./errors.ts";
import type { Reply } from "./http-core.ts";
import type { User } from "./store.ts";

/**
 * Who may host and who may be an alternative host. Zoom's "Create a meeting" lists the codes but
 * not which case gives which; the emulator's readings:
 * - an `inactive` (deactivated) user: 400 3161, Zoom's "hosting and scheduling not allowed";
 * - a `pending` user (invited, has not joined the account): 404 1001, as if not there yet;
 * - a basic (type 1) user may host; the 40-minute limit shows in `inspect()` (timeLimitMinutes).
 */
export const BASIC_MEETING_LIMIT_MINUTES = 40;

export const HOST_ERRORS = {
  cannotHost: () => apiError(400, 3161, "Meeting hosting and scheduling capabilities are not allowed for your user account."),
  invalidAlternativeHost: (email: string) => apiError(400, 1114, `Invalid alternative host email: ${email}.`),
  unlicensedAlternativeHost: (email: string) => apiError(400, 1115, `The user ${email} is not licensed and cannot be an alternative host.`),
} as const;

/** undefined when the user may host meetings now; Zoom's refusal otherwise. */
export function hostRefusal(user: User): Reply | undefined {
  if (user.status === "pending") return API_ERRORS.userNotFound(user.email);
  if (user.status === "inactive") return HOST_ERRORS.cannotHost();
  return undefined;
}

/**
 * `settings.alternative_hosts`: `;`-separated e-mails (Zoom also takes `,` in the web portal; the
 * API docs say `;`, so a `,` list is read as one invalid address). Each must be an active, licensed
 * user of the host's account and not the host. Answers the normalised list or Zoom's refusal.
 */
export function checkAlternativeHosts(ctx: EmulatorContext, host: User, list: string): string | Reply {
  const emails = list
    .split(";")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  for (const email of emails) {
    const user = ctx.store.findUser(email);
    if (!user || user.deleted || user.accountId !== host.accountId || user.status !== "active" || user.id === host.id)
      return HOST_ERRORS.invalidAlternativeHost(email);
    if (user.type !== 2) return HOST_ERRORS.unlicensedAlternativeHost(email);
  }
  return emails.join(";");
}

/** The 40-minute limit a basic host's meeting runs under (3+ participants), else undefined. */
export function timeLimitMinutes(host: User | undefined): number | undefined {
  return host?.type === 1 ? BASIC_MEETING_LIMIT_MINUTES : undefined;
}

/** Zoom's 100 meeting creates+updates a day, counted per host user (not per token or app). */
export function dailyLimit(ctx: EmulatorContext, hostId: string): Reply | undefined {
  return ctx.behaviour.rateLimits ? ctx.limiter.takeDailyMeetingWrite(hostId, ctx.clock.now()) : undefined;
}
