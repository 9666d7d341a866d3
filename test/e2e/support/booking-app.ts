// The booking app, as far as the e2e suite needs one: its server side uses the typed client against
// the ZoomIntegration's `status.endpoint` with the bearer token from `status.apiTokenSecretName`
// (exactly what a booking-app pod would read), and its own page at `afterConnectPath`, where the
// admin's browser lands after consent. Everything else on app.<domain> is not found.
import type { IncomingMessage, ServerResponse } from "node:http";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Dispatcher } from "undici";
import { createZoomIntegrationClient, type ZoomIntegrationClient } from "../../../service/client/client.ts";
import type { ZiLike } from "../../support/tenant-fixtures.ts";

/** The booking app's server side, configured from the ZoomIntegration's status. */
export async function bookingAppClient(kc: KubeConfig, zi: ZiLike, dispatcher: Dispatcher): Promise<ZoomIntegrationClient> {
  const { endpoint, apiTokenSecretName } = zi.status ?? {};
  if (!endpoint || !apiTokenSecretName)
    throw new Error(`ZoomIntegration ${zi.metadata.name} has no endpoint or apiTokenSecretName in its status yet`);
  const namespace = (zi.metadata as { namespace?: string }).namespace ?? "";
  const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: apiTokenSecretName });
  const token = Buffer.from(secret.data?.["token"] ?? "", "base64").toString("utf8");
  if (!token) throw new Error(`Secret ${apiTokenSecretName} has no token`);
  return createZoomIntegrationClient({ baseUrl: endpoint, token, dispatcher });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The booking app's own pages on app.<domain>: the Zoom settings page the admin returns to. */
export function bookingAppPages(afterConnectPath: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "https://booking.invalid");
    if (url.pathname === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== "GET" || url.pathname !== afterConnectPath) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found (booking app)");
      return;
    }
    const outcome = url.searchParams.get("zoom");
    const message =
      outcome === "connected"
        ? `<p id="zoom-status" class="ok">Zoom is connected.</p>`
        : `<p id="zoom-status" class="error">Zoom could not be connected: ${escapeHtml(url.searchParams.get("reason") ?? "unknown")}</p>`;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Booking app - Zoom integration</title>
<style>body{font-family:sans-serif;margin:3em}.ok{color:#06702b}.error{color:#a00}</style></head>
<body><h1>Organization settings: Zoom</h1>${message}</body></html>`);
  };
}
