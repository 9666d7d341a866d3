import type { EmulatorContext } from "./context.ts";
import { API_ERRORS } from "./errors.ts";
import { checkAlternativeHosts } from "./hosts.ts";
import type { Reply } from "./http-core.ts";
import type { MeetingChanges } from "./meeting-body.ts";
import { passcodeRefusal } from "./meeting-security.ts";
import type { User } from "./store.ts";

/** What a create or a whole-meeting update must pass, given the type and recurrence it ends up with. */
export interface RulesInput {
  readonly type: number;
  /** The meeting has a recurrence after the change (sent now or kept from before). */
  readonly hasRecurrence: boolean;
}

/**
 * The rules shared by create and update: `type: 8` needs a recurrence and only types 3/8 take one
 * (Create's `recurrence`: "only for a meeting with type 8"), the passcode meets the host's rules,
 * the alternative hosts may be. Answers the normalised `alternative_hosts` (when sent) or the refusal.
 */
export function checkMeetingRules(
  ctx: EmulatorContext,
  host: User,
  changes: MeetingChanges,
  input: RulesInput,
): Reply | { alternativeHosts?: string } {
  if (input.type === 8 && !input.hasRecurrence)
    return API_ERRORS.badField("recurrence", "recurrence is required for a recurring meeting with a fixed time (type 8).");
  if (input.type !== 8 && input.type !== 3 && changes.recurrence)
    return API_ERRORS.badField("recurrence", "recurrence is only for recurring meetings (type 3 or 8).");
  const badPasscode = passcodeRefusal(host, changes.password);
  if (badPasscode) return badPasscode;
  const list = changes.settings?.alternative_hosts;
  if (typeof list !== "string") return {};
  const alternativeHosts = checkAlternativeHosts(ctx, host, list);
  return typeof alternativeHosts === "string" ? { alternativeHosts } : alternativeHosts;
}
