// Walks the admin's consent the way a browser would, without one: the booking app asks for an
// authorization URL, the start path sets the browser-binding cookie and redirects to Zoom, the
// admin approves at the (emulated) Zoom, Zoom redirects to the callback with the cookie.
// `app.<domain>` does not resolve here, so requests for it go to Traefik's loopback port, with the
// host name as SNI and Host header (as a browser with a hosts entry would send them).
import { Agent, request } from "undici";
import type { ZoomEmulator } from "../zoom-emulator/index.ts";

export interface ConnectProps {
  /** The authorization URL the booking app got from the service. */
  readonly authorizationUrl: string;
  /** https://127.0.0.1:<port>: Traefik, where requests for https://app.<domain> go. */
  readonly edgeBase: string;
  readonly zoom: ZoomEmulator;
  /** The Zoom admin who consents, e.g. admin@acme.example. */
  readonly login: string;
}

async function redirectOf(url: string, edgeBase: string, cookie?: string): Promise<{ location: string; setCookie: string | null }> {
  const u = new URL(url);
  // NB: the sandbox's TLS Secret is self-signed.
  const dispatcher = new Agent({ connect: { servername: u.hostname, rejectUnauthorized: false } });
  try {
    const res = await request(new URL(`${u.pathname}${u.search}`, edgeBase), {
      headers: { host: u.host, ...(cookie ? { cookie } : {}) },
      dispatcher,
    });
    await res.body.arrayBuffer();
    const location = res.headers["location"];
    if (res.statusCode < 300 || res.statusCode >= 400 || typeof location !== "string")
      throw new Error(`expected a redirect from ${u.pathname}, got ${res.statusCode}`);
    const setCookie = res.headers["set-cookie"];
    return { location, setCookie: (Array.isArray(setCookie) ? setCookie[0] : setCookie) ?? null };
  } finally {
    await dispatcher.close();
  }
}

/**
 * The first request through the edge: Traefik publishes an Ingress's status (what makes the tenant
 * Routed and Ready) as soon as it reads it, but applies the route after its providers' throttle
 * (2 s by default), so for a moment app.<domain> still answers 404.
 */
async function firstRedirectOf(url: string, edgeBase: string, timeoutMs = 20_000): Promise<{ location: string; setCookie: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await redirectOf(url, edgeBase);
    } catch (error) {
      if (!/got 404$/.test((error as Error).message) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Returns the URL the admin's browser finally lands on (…?zoom=connected on success). */
export async function connectWithoutBrowser(props: ConnectProps): Promise<string> {
  const start = await firstRedirectOf(props.authorizationUrl, props.edgeBase);
  const cookie = (start.setCookie ?? "").split(";")[0] ?? "";
  const callback = props.zoom.approve(start.location, props.login);
  const landing = await redirectOf(callback, props.edgeBase, cookie);
  return landing.location;
}
