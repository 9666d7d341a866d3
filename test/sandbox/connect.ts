// Walks the admin's consent the way a browser would, without one: the booking app asks for an
// authorization URL, the start path sets the browser-binding cookie and redirects to Zoom, the
// admin approves at the (emulated) Zoom, Zoom redirects to the callback with the cookie.
// `app.<domain>` does not resolve here, so requests for it go to a pod's public port instead.
import type { ZoomEmulator } from "../zoom-emulator/index.ts";

export interface ConnectProps {
  /** The authorization URL the booking app got from the service. */
  readonly authorizationUrl: string;
  /** http://<pod IP>:8080: where requests for https://app.<domain> go. */
  readonly publicBase: string;
  readonly zoom: ZoomEmulator;
  /** The Zoom admin who consents, e.g. admin@acme.example. */
  readonly login: string;
}

function viaPod(url: string, publicBase: string): URL {
  const u = new URL(url);
  return new URL(`${u.pathname}${u.search}`, publicBase);
}

async function redirectOf(url: URL, cookie?: string): Promise<{ location: string; setCookie: string | null }> {
  const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
  await res.arrayBuffer();
  const location = res.headers.get("location");
  if (res.status < 300 || res.status >= 400 || !location) throw new Error(`expected a redirect from ${url.pathname}, got ${res.status}`);
  return { location, setCookie: res.headers.get("set-cookie") };
}

/** Returns the URL the admin's browser finally lands on (…?zoom=connected on success). */
export async function connectWithoutBrowser(props: ConnectProps): Promise<string> {
  const start = await redirectOf(viaPod(props.authorizationUrl, props.publicBase));
  const cookie = (start.setCookie ?? "").split(";")[0] ?? "";
  const callback = props.zoom.approve(start.location, props.login);
  const landing = await redirectOf(viaPod(callback, props.publicBase), cookie);
  return landing.location;
}
