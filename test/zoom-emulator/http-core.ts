import type { IncomingHttpHeaders } from "node:http";

/** A parsed request: handlers see only this, never the socket. */
export interface EmulatorRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * What a handler answers. Handlers return a value instead of writing to the socket, so a fault can
 * drop a response *after* its side effects happened (a lost refresh response, ZOOM.md).
 */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const JSON_TYPE = { "content-type": "application/json;charset=UTF-8" } as const;

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

/** For bodies that carry raw int64 digits (meeting ids) and were serialised by hand. */
export function rawJsonReply(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { ...JSON_TYPE, ...headers }, body };
}

export function emptyReply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: "" };
}

export function htmlReply(status: number, html: string): Reply {
  return { status, headers: { "content-type": "text/html;charset=UTF-8" }, body: html };
}

export function redirectReply(location: string): Reply {
  return { status: 302, headers: { location }, body: "" };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formBody(request: EmulatorRequest): URLSearchParams {
  const type = request.headers["content-type"] ?? "";
  // NB: ZOOM.md says "put parameters in the body"; the emulator reads only a form body, so a
  // client that sends them in the query string or as JSON fails here as it would in production.
  return type.startsWith("application/x-www-form-urlencoded") ? new URLSearchParams(request.body) : new URLSearchParams();
}

export interface BasicCredentials {
  readonly id: string;
  readonly secret: string;
}

export function basicCredentials(request: EmulatorRequest): BasicCredentials | undefined {
  const header = request.headers.authorization ?? "";
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export function bearerToken(request: EmulatorRequest): string | undefined {
  const header = request.headers.authorization ?? "";
  return header.startsWith("Bearer ") ? header.slice(7).trim() || undefined : undefined;
}

export function isReply(value: object): value is Reply {
  return "status" in value && "body" in value && "headers" in value;
}
