import { z } from "zod";
import { ErrorCode, ServiceError } from "../errors.ts";
import type { ZoomApi } from "../zoom/zoom-api.ts";
import { badResponse, ZoomCode } from "../zoom/zoom-errors.ts";
import { type PasscodeRules, passcodeRulesOf } from "./passcode.ts";

/**
 * Who may host: Zoom's user `type` (1 basic, 2 licensed, 4 unassigned, 99 none) and `status`
 * (active, inactive, pending). Basic users' meetings end after 40 minutes with 3+ participants,
 * and inactive or pending users cannot start meetings at all, so a booking for them is refused
 * before anything is created (HOST_CANNOT_HOST with the reason).
 */

export type CannotHostReason = "basic" | "deactivated" | "pending" | "notInAccount";
export type Licence = "basic" | "licensed" | "none";

export const LICENSED_TYPE = 2;

export function licenceOf(type: number | undefined): Licence {
  if (type === LICENSED_TYPE) return "licensed";
  return type === 1 ? "basic" : "none";
}

/** Pure: why this user cannot host, or undefined when they can. */
export function cannotHostReason(user: {
  readonly type?: number | undefined;
  readonly status?: string | undefined;
}): CannotHostReason | undefined {
  if (user.status === "inactive") return "deactivated";
  if (user.status === "pending") return "pending";
  if (licenceOf(user.type) !== "licensed") return "basic";
  return undefined;
}

const REASON_TEXT: Record<CannotHostReason, string> = {
  basic: "has no Zoom licence (basic users' meetings end after 40 minutes)",
  deactivated: "is deactivated in Zoom",
  pending: "has not accepted the Zoom account's invitation yet",
  notInAccount: "is not a user of the connected Zoom account",
};

export function cannotHost(field: string, host: string, reason: CannotHostReason, cause?: unknown): ServiceError {
  return new ServiceError(ErrorCode.HostCannotHost, `${field}: ${host} cannot host: the user ${REASON_TEXT[reason]}.`, {
    details: { field, host, reason },
    cause,
  });
}

const ZoomUser = z.looseObject({ id: z.string(), email: z.string(), type: z.number().optional(), status: z.string().optional() });
export interface HostUser {
  readonly id: string;
  readonly email: string;
}

export interface HostDirectoryDeps {
  readonly zoom: Pick<ZoomApi, "call">;
  readonly clock: () => number;
  /** How long a host's passcode requirements are reused. Default 5 minutes. */
  readonly settingsTtlMs?: number;
}

export interface HostDirectory {
  /** The host (`me`, id or e-mail) if they can host; HOST_CANNOT_HOST naming `field` otherwise. */
  check(organizationId: string, host: string, field: string): Promise<HostUser>;
  /** The host's passcode requirements from their Zoom settings, cached briefly per host. */
  passcodeRules(organizationId: string, hostId: string): Promise<PasscodeRules>;
}

export function createHostDirectory(deps: HostDirectoryDeps): HostDirectory {
  const ttlMs = deps.settingsTtlMs ?? 5 * 60_000;
  const cache = new Map<string, { readonly until: number; readonly rules: Promise<PasscodeRules> }>();
  return {
    async check(organizationId, host, field) {
      const path = `/users/${encodeURIComponent(host)}`;
      const result = await deps.zoom.call({ organizationId, method: "GET", path, retry: "idempotent" }).catch((error: unknown) => {
        throw isUnknownUser(error) ? cannotHost(field, host, "notInAccount", error) : error;
      });
      const user = ZoomUser.safeParse(result.json);
      if (!user.success) throw badResponse(result.status, "not a user");
      const reason = cannotHostReason(user.data);
      if (reason) throw cannotHost(field, host, reason);
      return { id: user.data.id, email: user.data.email };
    },
    passcodeRules(organizationId, hostId) {
      const key = `${organizationId}\0${hostId}`;
      const now = deps.clock();
      const cached = cache.get(key);
      if (cached && cached.until > now) return cached.rules;
      const rules = readRules(deps, organizationId, hostId);
      cache.set(key, { until: now + ttlMs, rules });
      // NB: a failed read is not cached: the next create asks Zoom again.
      rules.catch(() => cache.delete(key));
      for (const [k, v] of cache) if (v.until <= now) cache.delete(k);
      return rules;
    },
  };
}

async function readRules(deps: HostDirectoryDeps, organizationId: string, hostId: string): Promise<PasscodeRules> {
  const path = `/users/${encodeURIComponent(hostId)}/settings`;
  const result = await deps.zoom.call({ organizationId, method: "GET", path, retry: "idempotent" });
  return passcodeRulesOf(result.json);
}

function isUnknownUser(error: unknown): boolean {
  if (!(error instanceof ServiceError)) return false;
  const zoomCode = error.details?.zoomCode;
  return error.code === ErrorCode.BadRequest && (zoomCode === ZoomCode.UserNotFound || zoomCode === ZoomCode.UserNotOnAccount);
}
