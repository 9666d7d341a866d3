import type { EmulatorContext } from "./context.ts";
import { issueCode } from "./grants.ts";
import { type EmulatorRequest, escapeHtml, formBody, htmlReply, type Reply, redirectReply } from "./http-core.ts";
import type { App, User } from "./store.ts";

/** A refused authorization: Zoom shows an error page with its number, it does not redirect. */
export interface AuthorizeFailure {
  readonly code: number;
  readonly message: string;
}

interface AuthorizeRequest {
  readonly app: App;
  readonly redirectUri: string;
  readonly state: string | null;
  readonly challenge: string | undefined;
  readonly challengeMethod: "S256" | "plain";
}

type Checked<T> = { ok: T } | { failure: AuthorizeFailure };
const fail = (code: number, message: string) => ({ failure: { code, message } });

/** The parameter checks of `GET /oauth/authorize`, shared by the browser path and `approve`. */
export function checkAuthorize(ctx: EmulatorContext, params: URLSearchParams): Checked<AuthorizeRequest> {
  if (params.get("response_type") !== "code") return fail(4700, "Invalid response_type: only 'code' is supported.");
  const app = ctx.store.apps.get(params.get("client_id") ?? "");
  if (!app) return fail(4702, "Invalid client_id.");
  if (app.status === "disabledByZoom") return fail(4717, "This app has been disabled by Zoom.");
  if (app.status === "disabledByAdmin") return fail(4738, "This app has been disabled by the account admin.");
  const redirectUri = params.get("redirect_uri") ?? "";
  if (redirectUri !== app.redirectUrl)
    return fail(4709, "Invalid redirect: the redirect_uri does not match the app's Redirect URL for OAuth.");
  const asked = (params.get("scope") ?? "").split(/[\s,]+/).filter(Boolean);
  const unknown = asked.filter((scope) => !app.scopes.includes(scope));
  if (unknown.length > 0) return fail(4711, `Invalid scope: ${unknown.join(" ")} is not configured on the app.`);
  const challenge = params.get("code_challenge") ?? undefined;
  // NB: Zoom defaults to `plain` when the method is omitted (ZOOM.md): always send S256.
  const method = params.get("code_challenge_method") ?? "plain";
  if (method !== "S256" && method !== "plain") return fail(4700, "Invalid code_challenge_method.");
  return { ok: { app, redirectUri, state: params.get("state"), challenge, challengeMethod: method } };
}

/** Who may consent: a live user, of the owning account for an unpublished app, an admin for admin scopes. */
export function checkConsenter(ctx: EmulatorContext, app: App, login: string): Checked<User> {
  const user = ctx.store.findUser(login);
  if (!user || user.deleted) return fail(4700, `No Zoom user ${login}.`);
  // NB: a deactivated or not-yet-joined user cannot sign in to Zoom, so cannot consent either.
  if (user.status !== "active") return fail(4700, `The Zoom user ${login} is ${user.status} and cannot sign in.`);
  if (!app.published && user.accountId !== app.accountId)
    return fail(4700, "This app is not published: only users of the account that created it can authorize it.");
  const needsAdmin = app.scopes.some((scope) => scope.endsWith(":admin"));
  if (needsAdmin && user.role === "member") return fail(4700, "This app needs admin scopes: ask an account admin to authorize it.");
  return { ok: user };
}

/** Consent given: a single-use code and the redirect back to the app, with `state` when one came. */
export function consent(ctx: EmulatorContext, authz: AuthorizeRequest, user: User): string {
  const code = issueCode(ctx, {
    clientId: authz.app.clientId,
    userId: user.id,
    redirectUri: authz.redirectUri,
    scopes: authz.app.scopes,
    challenge: authz.challenge,
    challengeMethod: authz.challengeMethod,
  });
  const target = new URL(authz.redirectUri);
  target.searchParams.set("code", code);
  if (authz.state !== null) target.searchParams.set("state", authz.state);
  return target.toString();
}

/** `GET /oauth/authorize`: a login form, then a consent form; `?login=<email>` skips the first. */
export function authorizePage(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const checked = checkAuthorize(ctx, request.query);
  if ("failure" in checked) return errorPage(checked.failure);
  const login = request.query.get("login");
  if (!login) return htmlReply(200, loginPage(ctx, request.query));
  const user = checkConsenter(ctx, checked.ok.app, login);
  if ("failure" in user) return errorPage(user.failure);
  return htmlReply(200, consentPage(checked.ok.app, user.ok, request.query));
}

/** `POST /oauth/authorize`: the Approve button. */
export function authorizeApprove(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const form = formBody(request);
  const checked = checkAuthorize(ctx, form);
  if ("failure" in checked) return errorPage(checked.failure);
  const user = checkConsenter(ctx, checked.ok.app, form.get("login") ?? "");
  if ("failure" in user) return errorPage(user.failure);
  return redirectReply(consent(ctx, checked.ok, user.ok));
}

function errorPage(failure: AuthorizeFailure): Reply {
  const body = `<h1>Zoom authorization error</h1><p id="error-code">Error code: ${failure.code}</p><p id="error-message">${escapeHtml(failure.message)}</p>`;
  return htmlReply(400, page("Authorization error", body));
}

function hiddenInputs(params: URLSearchParams, skip: string): string {
  return [...params]
    .filter(([name]) => name !== skip)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
}

function loginPage(ctx: EmulatorContext, params: URLSearchParams): string {
  const options = [...ctx.store.users.values()]
    .filter((user) => !user.deleted)
    .map((user) => `<option value="${escapeHtml(user.email)}">${escapeHtml(user.email)} (${user.role})</option>`)
    .join("");
  const form = `<form method="GET" action="/oauth/authorize">${hiddenInputs(params, "login")}<label>Sign in as <select name="login">${options}</select></label> <button type="submit" id="sign-in">Sign in</button></form>`;
  return page("Sign in", `<h1>Sign in to Zoom (emulator)</h1>${form}`);
}

function consentPage(app: App, user: User, params: URLSearchParams): string {
  const scopes = app.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join("");
  const form = `<form method="POST" action="/oauth/authorize">${hiddenInputs(params, "login")}<input type="hidden" name="login" value="${escapeHtml(user.email)}"><button type="submit" id="approve">Approve</button></form>`;
  const text = `<h1>${escapeHtml(app.name)} would like to access your Zoom account</h1><p>Signed in as ${escapeHtml(user.email)}</p><ul>${scopes}</ul>`;
  return page("Authorize", text + form);
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)} - Zoom emulator</title></head><body>${body}</body></html>`;
}
