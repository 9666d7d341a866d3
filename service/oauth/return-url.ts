// Where the admin's browser goes after the callback. Only ever `https://app.<domain>` plus a path:
// the return path comes from the booking app (through the sealed ticket) and is still checked, so
// no value can turn the callback into an open redirect.
import { z } from "zod";

/** A same-origin absolute path: no scheme, no `//host`, no backslash (browsers read `/\host` as `//host`), no spaces or control characters. */
export const ReturnPath = z
  .string()
  .max(512)
  .regex(
    /^\/(?![/\\])(?:(?![\\#])[!-~])*$/,
    "must be a path on the booking app such as /settings/zoom (printable ASCII; no scheme, host or fragment)",
  );

export type ConnectOutcome = { zoom: "connected" } | { zoom: "error"; reason: string };

export function afterConnectUrl(publicOrigin: string, path: string, outcome: ConnectOutcome): string {
  const url = new URL(path, publicOrigin);
  // NB: defence in depth: whatever the path was, the origin is ours.
  if (url.origin !== new URL(publicOrigin).origin) throw new Error("return path left the booking app's origin");
  url.searchParams.set("zoom", outcome.zoom);
  if (outcome.zoom === "error") url.searchParams.set("reason", outcome.reason);
  return url.toString();
}
