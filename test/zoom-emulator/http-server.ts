import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { EmulatorContext } from "./context.ts";
import { API_ERRORS } from "./errors.ts";
import { type Fault, type FaultPlan, faultReply } from "./faults.ts";
import { jsonReply, type Reply } from "./http-core.ts";
import { matchRoute, type RouteMatch } from "./routes.ts";
import type { TokenRequest } from "./store.ts";

/**
 * The emulator's HTTP front. Plain `node:http` rather than Express: the emulator must never be the
 * bottleneck of a benchmark (>= 5,000 req/s on one core), routing is a dozen fixed patterns, and a
 * raw socket is needed anyway for the reset / no-answer faults.
 */
const MAX_BODY_BYTES = 1 << 20;

export function createEmulatorServer(ctx: EmulatorContext, faults: FaultPlan): Server {
  return createServer((req, res) => {
    handle(ctx, faults, req, res).catch((error: unknown) => {
      // NB: an emulator bug must fail the test loudly, not look like a Zoom answer the client copes with.
      console.error("zoom-emulator: handler failed", error);
      if (!res.headersSent) write(res, jsonReply(500, { code: 500, message: `emulator bug: ${String(error)}` }));
    });
  });
}

async function handle(ctx: EmulatorContext, faults: FaultPlan, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = req.url ?? "/";
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const method = req.method ?? "GET";
  const match = matchRoute(method, path);
  const key = match?.route.key ?? "unmatched";
  ctx.store.requestsPerRoute.set(key, (ctx.store.requestsPerRoute.get(key) ?? 0) + 1);
  const fault = faults.take(key);
  const token = key === TOKEN_ROUTE ? trackTokenRequest(ctx, res) : undefined;
  // NB: the body is read before a latency fault waits: a slow Zoom has the request and handles it even
  // when the client gave up meanwhile (its answer is then lost), unless `abandonIfClosed`.
  const body = method === "GET" || method === "HEAD" || fault?.kind === "reset" ? "" : await readBody(req);
  if (fault && (await beforeHandling(fault, req, res))) return;
  // NB: a killed client's kernel sends FIN: the socket has ended (half-open), not yet been destroyed.
  if (fault?.kind === "latency" && fault.abandonIfClosed && (res.closed || req.socket.destroyed || req.socket.readableEnded)) {
    if (token) token.result = "abandoned";
    return;
  }
  const early = answerWithoutHandler(fault, match, body);
  if (early || !match || body === undefined) {
    write(res, early ?? API_ERRORS.notFound());
    return;
  }
  const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  if (token) noteTokenForm(ctx, token, body);
  const reply = match.route.handler(ctx, { method, path, query, headers: req.headers, body, params: match.params });
  if (token) {
    token.handledAt = Date.now();
    token.status = reply.status;
    token.result = fault?.kind === "dropResponse" || res.closed ? "lost" : "answered";
  }
  if (fault?.kind === "dropResponse") req.socket.destroy();
  else write(res, reply);
}

const TOKEN_ROUTE = "POST /oauth/token";

function trackTokenRequest(ctx: EmulatorContext, res: ServerResponse): TokenRequest {
  const record: TokenRequest = {
    arrivedAt: Date.now(),
    endedAt: undefined,
    handledAt: undefined,
    grantType: undefined,
    grantId: undefined,
    result: "pending",
    status: undefined,
  };
  ctx.store.tokenRequests.push(record);
  res.once("close", () => {
    record.endedAt = Date.now();
  });
  return record;
}

function noteTokenForm(ctx: EmulatorContext, record: TokenRequest, body: string): void {
  const form = new URLSearchParams(body);
  record.grantType = form.get("grant_type") ?? undefined;
  record.grantId = ctx.store.refreshTokens.get(form.get("refresh_token") ?? "");
}

/** A fault that replaces the answer, an oversized body, or an unknown route. */
function answerWithoutHandler(fault: Fault | undefined, match: RouteMatch | undefined, body: string | undefined): Reply | undefined {
  if (body === undefined) return jsonReply(413, { code: 413, message: "Request body too large." });
  const replaced = fault && faultReply(fault);
  if (replaced) return replaced;
  return match ? undefined : API_ERRORS.notFound();
}

/** Applies faults that act on the connection; true when the request is finished with. */
async function beforeHandling(fault: Fault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (fault.kind === "reset") {
    req.socket.destroy();
    return true;
  }
  if (fault.kind === "noAnswer") {
    // The socket stays open; close() ends it with closeAllConnections().
    res.on("error", () => undefined);
    return true;
  }
  if (fault.kind === "latency") await new Promise((resolve) => setTimeout(resolve, fault.ms));
  return false;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function write(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) });
  res.end(reply.body);
}
