// Helpers for the service's integration tests: the service in-process (log lines captured), a
// scripted browser for the connect flow, and a collector of every secret value a test used, so the
// log scan can prove none of them was written.
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { CoreV1Api } from "@kubernetes/client-node";
import { createLogger } from "../../common/logger.ts";
import { readGrants } from "../../common/tenant/token-secret.ts";
import { loadConfig } from "../../service/config.ts";
import { watchSecretFiles } from "../../service/runtime/mounted-secrets.ts";
import { buildService, type Service } from "../../service/service.ts";
import type { ZoomEmulator } from "../zoom-emulator/index.ts";
import { clusterEnv } from "./cluster-env.ts";
import type { ServiceTenant } from "./service-tenant.ts";

export interface RunningService {
  readonly service: Service;
  readonly publicUrl: string;
  readonly apiUrl: string;
  readonly lines: string[];
  /** Moves the service's clock (not the emulator's). */
  readonly clock: { offsetMs: number };
  readonly reloadSecrets: () => Promise<void>;
  close(): Promise<void>;
}

export async function startServiceInProcess(tenant: ServiceTenant, podName = "svc-0"): Promise<RunningService> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const config = loadConfig({ ...tenant.env(podName), LOG_LEVEL: "debug" });
  const log = createLogger({ level: "debug", name: "zoom-service", destination });
  const secrets = await watchSecretFiles(config);
  const clock = { offsetMs: 0 };
  const service = buildService({ config, kc: tenant.kc, secrets, log, now: () => Date.now() + clock.offsetMs });
  const servers = [service.publicApp.listen(0, "127.0.0.1"), service.apiApp.listen(0, "127.0.0.1")];
  await Promise.all(servers.map((s) => new Promise((r) => s.once("listening", r))));
  const url = (i: number) => `http://127.0.0.1:${(servers[i]!.address() as AddressInfo).port}`;
  return {
    service,
    publicUrl: url(0),
    apiUrl: url(1),
    lines,
    clock,
    reloadSecrets: () => secrets.reload(),
    async close() {
      secrets.stop();
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

/** Every secret value a test handled: the log scan looks for each. */
export class SecretCollector {
  readonly values = new Set<string>();
  add(...values: (string | null | undefined)[]): void {
    for (const v of values) if (v && v.length >= 8) this.values.add(v);
  }
  /** Adds every token stored in the tokens Secret now. */
  async addStoredTokens(tenant: ServiceTenant): Promise<void> {
    const secret = await clusterEnv()
      .kc.makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: tenant.tokensSecret, namespace: tenant.namespace });
    for (const g of readGrants(secret.data)) this.add(g.accessToken, g.refreshToken);
  }
  /** Lines containing any collected value (a secret leaked). */
  leaks(lines: readonly string[]): string[] {
    return lines.filter((line) => [...this.values].some((v) => line.includes(v)));
  }
}

export interface BrowserFlow {
  readonly authorizationUrl: string;
  readonly zoomUrl: string;
  readonly setCookie: string;
  /** `name=value` as a browser would send it back. */
  readonly cookie: string;
  /** Zoom's redirect back (https://app.<domain>/...?code=..&state=..). */
  readonly redirect: string;
}

/** The booking app asks for the URL, the admin's browser opens it and consents at Zoom. */
export async function startBrowserFlow(
  svc: RunningService,
  zoom: ZoomEmulator,
  apiToken: string,
  org: string,
  login = "admin@acme.example",
): Promise<BrowserFlow> {
  const res = await fetch(`${svc.apiUrl}/v1/organizations/${encodeURIComponent(org)}/zoom/authorization`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
    body: "{}",
  });
  if (res.status !== 201) throw new Error(`authorization answered ${res.status}: ${await res.text()}`);
  const { authorizationUrl } = (await res.json()) as { authorizationUrl: string };
  const start = await fetch(local(svc, authorizationUrl), { redirect: "manual" });
  const setCookie = start.headers.get("set-cookie") ?? "";
  const zoomUrl = start.headers.get("location") ?? "";
  return { authorizationUrl, zoomUrl, setCookie, cookie: setCookie.split(";")[0] ?? "", redirect: zoom.approve(zoomUrl, login) };
}

/** The browser follows a redirect to the booking app's public URL (served by the local service). */
export async function visit(
  svc: RunningService,
  url: string,
  cookie?: string,
): Promise<{ status: number; location: string; body: string; setCookie: string }> {
  const res = await fetch(local(svc, url), { redirect: "manual", headers: cookie ? { cookie } : {} });
  return {
    status: res.status,
    location: res.headers.get("location") ?? "",
    body: await res.text(),
    setCookie: res.headers.get("set-cookie") ?? "",
  };
}

export function local(svc: RunningService, url: string): string {
  const u = new URL(url);
  return `${svc.publicUrl}${u.pathname}${u.search}`;
}
