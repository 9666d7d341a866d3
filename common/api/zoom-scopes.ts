// Zoom OAuth scopes (ZOOM.md): classic names (`meeting:write:admin`) and granular names
// (`meeting:update:meeting:admin`) are both accepted by their grammar, because Zoom keeps adding
// granular scopes; a malformed or unknown-action name is refused. On top of that the list must
// cover what the service does, so a missing delete scope is refused at apply time instead of
// silently breaking cancellations later (Zoom error 4711).
import { z } from "zod";
import { type CheckedRule, setOf, withRules } from "./schema-kit.ts";

/** `<product>:<read|write|update|delete>[:<resource>][:admin|:master]`, lowercase. */
const SCOPE = /^[a-z][a-z0-9_]*:(read|write|update|delete)(:[a-z][a-z0-9_]*){0,2}$/;

export const DEFAULT_SCOPES = ["meeting:read:admin", "meeting:write:admin", "user:read:admin"] as const;

/** One capability the service needs, satisfied by a classic scope or by all of a granular set. */
interface Capability {
  readonly what: string;
  readonly classic: string;
  readonly granular: readonly string[];
}

const CAPABILITIES: readonly Capability[] = [
  {
    what: "create, update and delete meetings",
    classic: "meeting:write:admin",
    granular: ["meeting:write:meeting:admin", "meeting:update:meeting:admin", "meeting:delete:meeting:admin"],
  },
  { what: "read meetings", classic: "meeting:read:admin", granular: ["meeting:read:meeting:admin"] },
  {
    what: "read and list users",
    classic: "user:read:admin",
    granular: ["user:read:user:admin", "user:read:list_users:admin"],
  },
];

const celList = (items: readonly string[]) => `[${items.map((s) => `'${s}'`).join(", ")}]`;

function capabilityRule(cap: Capability): CheckedRule<string[]> {
  return {
    rule: `'${cap.classic}' in self || ${celList(cap.granular)}.all(s, s in self)`,
    message: `must allow the service to ${cap.what}: include ${cap.classic} (classic) or ${cap.granular.join(", ")} (granular)`,
    check: (scopes) => scopes.includes(cap.classic) || cap.granular.every((s) => scopes.includes(s)),
  };
}

const Scope = z
  .string()
  .min(1)
  .max(128)
  .regex(SCOPE, "must be a Zoom scope name such as meeting:write:admin or meeting:update:meeting:admin")
  .describe("A Zoom OAuth scope name, classic or granular.");

export const ScopeList = withRules(setOf(Scope, 64).min(1), CAPABILITIES.map(capabilityRule))
  .default([...DEFAULT_SCOPES])
  .describe(
    "Zoom OAuth scopes the app must grant, exactly as configured in the Zoom Marketplace. Classic and " +
      "granular names are accepted; the list must let the service create, read, update and delete meetings " +
      "and read users. A connection whose granted scopes lack one of these is reported as MissingScopes.",
  );
