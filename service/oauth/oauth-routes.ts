// The connect flow's HTTP edges: the public start path and callback, and the internal endpoint the
// booking app calls to begin. Handlers parse, call one ConnectFlow function, answer.
import { parseCookie } from "cookie";
import express, { type Request, type Router } from "express";
import { z } from "zod";
import { REDIRECT_PATH, START_PATH } from "../../common/tenant/names.ts";
import { parseOr400 } from "../meetings/request-parsing.ts";
import { OrganizationId } from "../meetings/schemas.ts";
import type { ConnectFlow } from "./connect-flow.ts";
import { ReturnPath } from "./return-url.ts";

export const FLOW_COOKIE = "zoom_integration_flow";

export const OrgParams = z.object({ organizationId: OrganizationId });

/** NB: tickets and states are sealed base64url values, about 1 KB at most (the org id, a 512-character return path, nonces). */
const Sealed = (max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "a sealed base64url value")
    .max(max);
export const StartQuery = z.object({ ticket: Sealed(1536) });
export const CallbackQuery = z.object({
  code: z.string().max(2048).optional(),
  state: Sealed(2048).optional(),
  error: z.string().max(200).optional(),
});
export const Authorization = z.object({
  authorizationUrl: z
    .string()
    .meta({ description: "Send the organization's Zoom admin here (https://app.<domain>/zoom-integration/start?...)." }),
  expiresAt: z.string().meta({ description: "The URL works until then (10 minutes)." }),
});

export const AuthorizeBody = z.object({ returnPath: ReturnPath.optional() }).strict();

export interface OAuthRouteDeps {
  readonly flow: ConnectFlow;
  /** Secure cookies unless the public origin is plain HTTP (local setups). */
  readonly secureCookie: boolean;
  readonly appUrl: string;
}

/** NB: the `cookie` library, not a split on ";": quoted values, duplicate names and encoding are its job. */
function readCookie(req: Request, name: string): string | undefined {
  return parseCookie(req.get("cookie") ?? "")[name];
}

export function createPublicOAuthRouter(deps: OAuthRouteDeps): Router {
  const router = express.Router();
  const cookieOptions = { httpOnly: true, sameSite: "lax" as const, secure: deps.secureCookie, path: REDIRECT_PATH };

  router.get(START_PATH, async (req, res) => {
    const begun = await deps.flow.beginAtZoom(parseOr400(StartQuery, req.query, "query").ticket);
    res.set("cache-control", "no-store");
    if ("used" in begun) return res.status(410).type("html").send(usedLinkPage(deps.appUrl));
    if ("errorUrl" in begun) return res.redirect(303, begun.errorUrl);
    // NB: SameSite=Lax still sends the cookie on Zoom's top-level redirect back to us (a GET).
    res.cookie(FLOW_COOKIE, begun.cookieValue, { ...cookieOptions, maxAge: 10 * 60_000 });
    res.redirect(303, begun.zoomUrl);
  });

  router.get(REDIRECT_PATH, async (req, res) => {
    const result = await deps.flow.completeCallback(parseOr400(CallbackQuery, req.query, "query"), readCookie(req, FLOW_COOKIE));
    res.set("cache-control", "no-store");
    if (result.kind === "marketplace") {
      res.status(200).type("html").send(marketplacePage(deps.appUrl));
      return;
    }
    if (result.clearCookie) res.clearCookie(FLOW_COOKIE, cookieOptions);
    res.redirect(303, result.url);
  });
  return router;
}

export function createInternalOAuthRouter(deps: Pick<OAuthRouteDeps, "flow">): Router {
  const router = express.Router();
  router.post("/v1/organizations/:organizationId/zoom/authorization", (req, res) => {
    const { organizationId } = parseOr400(OrgParams, req.params, "path");
    const { returnPath } = parseOr400(AuthorizeBody, req.body ?? {}, "body");
    res.status(201).json(deps.flow.startAuthorization(organizationId, returnPath));
  });
  return router;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A connect link works once: a second visit (a forwarded or leaked link) explains, links nothing. */
function usedLinkPage(appUrl: string): string {
  const link = escapeHtml(appUrl);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>This Zoom connect link was already used</title></head><body>
<h1>This link was already used</h1>
<p>A link to connect Zoom works once, for 10 minutes. Nothing was connected by this visit.</p>
<p>To connect Zoom, open <a href="${link}">${link}</a>, sign in as an administrator of your organization and choose <strong>Connect Zoom</strong> again.</p>
</body></html>`;
}

/** An install started in the Zoom Marketplace arrives without our state: explain where to start. */
function marketplacePage(appUrl: string): string {
  const link = escapeHtml(appUrl);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connect Zoom from the booking app</title></head><body>
<h1>Almost there: connect Zoom from the booking app</h1>
<p>This Zoom app is connected to an organization from inside the booking app, so that we know which organization it belongs to.
Nothing was connected by this visit.</p>
<p>Open <a href="${link}">${link}</a>, sign in as an administrator of your organization and choose <strong>Connect Zoom</strong>.</p>
</body></html>`;
}
