// The Zoom admin's part of connecting Zoom, in the real browser: the booking app asks the service
// for an authorization URL, the browser opens it (app.<domain> -> TLS front -> the Ingress's route ->
// a service pod, which sets the browser-binding cookie and redirects to Zoom), signs in at the
// emulator, approves, and lands back on the booking app's page. Asserts every hop on the way.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { REDIRECT_PATH, tenantNames } from "../../../common/tenant/names.ts";
import type { ZoomIntegrationClient } from "../../../service/client/client.ts";
import { FLOW_COOKIE } from "../../../service/oauth/oauth-routes.ts";
import { repoRoot } from "../../cluster/paths.ts";
import { type E2eEnvironment, TENANT } from "./e2e-environment.ts";

/** Screenshots of the consent and landing pages (gitignored). */
export const ARTIFACTS_DIR = join(repoRoot, "test-artifacts", "e2e");

export interface ConsentProps {
  readonly env: E2eEnvironment;
  readonly bookingApp: ZoomIntegrationClient;
  readonly organizationId: string;
  /** Prefix of the screenshot files: `<label>-consent.png`, `<label>-landing.png`. */
  readonly label: string;
}

const APP_ORIGIN = `https://${TENANT.appHost}`;

export async function consentInBrowser({ env, bookingApp, organizationId, label }: ConsentProps): Promise<void> {
  const { browser, zoom, front } = env;
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const authorization = await bookingApp.startAuthorization(organizationId);
  expect(authorization.authorizationUrl.startsWith(`${APP_ORIGIN}/zoom-integration/start?`), authorization.authorizationUrl).toBe(true);
  const flowCookie = async () => (await browser.context.cookies(`${APP_ORIGIN}${REDIRECT_PATH}`)).find((c) => c.name === FLOW_COOKIE);
  const seenBefore = front.requests.length;
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  try {
    const t0 = Date.now();
    await page.goto(authorization.authorizationUrl);
    await page.waitForURL((u) => u.href.startsWith(`${zoom.url}/oauth/authorize?`));
    expect(await flowCookie(), "the service bound the flow to this browser").toMatchObject({
      domain: TENANT.appHost,
      path: REDIRECT_PATH,
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
    });
    await page.selectOption("select[name=login]", TENANT.adminLogin);
    await page.click("#sign-in");
    await page.waitForSelector("#approve");
    expect(await page.textContent("h1")).toContain("would like to access your Zoom account");
    expect(await page.textContent("body")).toContain(`Signed in as ${TENANT.adminLogin}`);
    await page.screenshot({ path: join(ARTIFACTS_DIR, `${label}-consent.png`), fullPage: true });
    await page.click("#approve");
    await page.waitForURL((u) => u.host === TENANT.appHost && u.pathname === TENANT.afterConnectPath);
    await page.screenshot({ path: join(ARTIFACTS_DIR, `${label}-landing.png`), fullPage: true });
    console.log(`[measure] ${label}: from opening the authorization URL to the booking app's page: ${Date.now() - t0} ms`);
    expect(page.url()).toBe(`${APP_ORIGIN}${TENANT.afterConnectPath}?zoom=connected`);
    expect(await page.textContent("#zoom-status")).toBe("Zoom is connected.");
    expect(await flowCookie(), "the callback cleared the flow cookie").toBeUndefined();
  } finally {
    await page.close();
  }
  // What went through app.<domain>: the Ingress's two service routes to service pods, then the app.
  const seen = front.requests.slice(seenBefore).filter((r) => r.path !== "/favicon.ico");
  expect(seen.map((r) => ({ method: r.method, path: r.path, route: r.route, status: r.status }))).toEqual([
    { method: "GET", path: "/zoom-integration/start", route: "Prefix /zoom-integration/", status: 303 },
    { method: "GET", path: REDIRECT_PATH, route: `Exact ${REDIRECT_PATH}`, status: 303 },
    { method: "GET", path: TENANT.afterConnectPath, route: "app", status: 200 },
  ]);
  const podName = new RegExp(`^${tenantNames(TENANT.name).deployment}-`);
  expect(seen[0]?.backendPod).toMatch(podName);
  expect(seen[1]?.backendPod).toMatch(podName);
  expect(seen[1]?.cookieNames).toContain(FLOW_COOKIE);
  // Round robin over two ready pods: the callback completes on the other replica (shared state key).
  expect(seen[1]?.backendPod).not.toBe(seen[0]?.backendPod);
}
