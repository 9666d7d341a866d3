// Granted versus required scopes. Zoom apps use classic names (`meeting:write:admin`) or, since
// 2024, granular ones (`meeting:update:meeting:admin`); a classic scope is equivalent to a set of
// granular ones. Under granular scopes a missing delete scope silently breaks cancellations, so
// every part of the set must be granted.

/** Classic scope -> the granular scopes that together grant the same. */
const GRANULAR_EQUIVALENTS: Readonly<Record<string, readonly string[]>> = {
  "meeting:write:admin": ["meeting:write:meeting:admin", "meeting:update:meeting:admin", "meeting:delete:meeting:admin"],
  "meeting:read:admin": ["meeting:read:meeting:admin"],
  "user:read:admin": ["user:read:user:admin", "user:read:list_users:admin"],
};

function coveringClassic(granular: string): string | undefined {
  return Object.keys(GRANULAR_EQUIVALENTS).find((classic) => GRANULAR_EQUIVALENTS[classic]?.includes(granular));
}

/** Zoom's `scope` is space separated (some documents show commas: accept both). */
export function parseScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? "").split(/[\s,]+/).filter(Boolean))];
}

/**
 * The required scopes the grant lacks, named as precisely as possible: when an app grants
 * granular scopes, a classic requirement is reported as the granular scopes still missing.
 */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted);
  const missing = required.flatMap((scope) => {
    if (have.has(scope)) return [];
    const classic = coveringClassic(scope);
    if (classic && have.has(classic)) return [];
    const parts = GRANULAR_EQUIVALENTS[scope];
    if (!parts) return [scope];
    const lacking = parts.filter((p) => !have.has(p));
    const granularApp = lacking.length < parts.length || granted.some((g) => coveringClassic(g) !== undefined);
    return lacking.length === 0 ? [] : granularApp ? lacking : [scope];
  });
  return [...new Set(missing)];
}
