// The pull API's cursor: opaque to the booking app (it may change shape), a seq inside.
import { ErrorCode, ServiceError } from "../errors.ts";

const PREFIX = "c1.";

export function encodeCursor(seq: number): string {
  return Buffer.from(`${PREFIX}${seq}`).toString("base64url");
}

/** Absent = from the oldest retained event. A cursor we did not make is a 400 naming `query.after`. */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const seq = text.startsWith(PREFIX) && /^\d{1,15}$/.test(text.slice(PREFIX.length)) ? Number(text.slice(PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(seq))
    throw new ServiceError(ErrorCode.BadRequest, "query.after: not a cursor this API returned", { details: { field: "query.after" } });
  return seq;
}
