// The Zoom admin's part of connecting Zoom, in the real browser: the booking app asks the service
// for an authorization URL, the browser opens it (app.<domain> -> Traefik -> the operator's Ingress or
// HTTPRoute -> a service pod, which sets the browser-binding cookie and redirects to Zoom), signs in at the
// emulator, approves, and lands back on the booking app's page. Asserts every hop on the way.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { REDIRECT_PATH, tenantNames } from "../../../common/tenant/names.ts";
import type { ZoomIntegrationClient } from "../../../service/client/client.ts";
import { FLOW_COOKIE } from "../../../service/oauth/oauth-routes.ts";
import { repoRoot } from "../../cluster/paths.ts";
import { eventually } from "../../support/eventually.ts";
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
  const { browser, zoom, edge } = env;
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const authorization = await bookingApp.startAuthorization(organizationId);
  expect(authorization.authorizationUrl.startsWith(`${APP_ORIGIN}/zoom-integration/start?`), authorization.authorizationUrl).toBe(true);
  const flowCookie = async () => (await browser.context.cookies(`${APP_ORIGIN}${REDIRECT_PATH}`)).find((c) => c.name === FLOW_COOKIE);
  const seenBefore = (await edge.requests()).length;
  const connectionsBefore = edge.connections.length;
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
  // What went through app.<domain>, by Traefik's access log: the operator's route to service pods, then the app.
  const service = tenantNames(TENANT.name).service;
  await eventually(async () => {
    const seen = (await edge.requests()).slice(seenBefore).filter((r) => r.path !== "/favicon.ico");
    expect(seen.map((r) => ({ method: r.method, path: r.path, status: r.status }))).toEqual([
      { method: "GET", path: "/zoom-integration/start", status: 303 },
      { method: "GET", path: REDIRECT_PATH, status: 303 },
      { method: "GET", path: TENANT.afterConnectPath, status: 200 },
    ]);
    expect(seen[0]?.service).toContain(service);
    expect(seen[1]?.service).toContain(service);
    expect(seen[2]?.service).toContain("booking-app");
  });
  // Connections to the tenant's Service, spread over its two ready pods (the kube-proxy stand-in):
  // the callback completes on the other replica (shared state key).
  const pods = edge.connections
    .slice(connectionsBefore)
    .filter((c) => c.includes(`/${service}:8080 -> `))
    .map((c) => c.split(" -> ")[1]);
  expect(pods).toHaveLength(2);
  const podName = new RegExp(`^${tenantNames(TENANT.name).deployment}-`);
  for (const pod of pods) expect(pod).toMatch(podName);
  expect(pods[1]).not.toBe(pods[0]);
}
