// One signed POST of one event to the booking app's endpoint.
import { type Dispatcher, request } from "undici";
import { type RecordedEvent, toCloudEvent } from "./event-types.ts";
import { type Endpoint, liveSecrets } from "./endpoint-store.ts";
import { signDelivery } from "./signing.ts";

export type PostResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface PostProps {
  readonly endpoint: Endpoint;
  readonly event: RecordedEvent;
  readonly source: string;
  readonly now: () => number;
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
}

/** 2xx is delivered; anything else (status, timeout, network error) is a failure named without the body. */
export async function postEvent(p: PostProps): Promise<PostResult> {
  const body = JSON.stringify(toCloudEvent(p.source, p.event));
  const signed = signDelivery(liveSecrets(p.endpoint, p.now()), p.event.id, p.now() / 1000, body);
  try {
    const response = await request(p.endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/cloudevents+json; charset=utf-8", "user-agent": "zoom-integration-service", ...signed },
      body,
      signal: AbortSignal.timeout(p.timeoutMs),
      ...(p.dispatcher ? { dispatcher: p.dispatcher } : {}),
    });
    await response.body.dump();
    return response.statusCode >= 200 && response.statusCode < 300 ? { ok: true } : { ok: false, error: `HTTP ${response.statusCode}` };
  } catch (error) {
    const e = error as { name?: string; code?: string };
    return { ok: false, error: e.name === "TimeoutError" || e.name === "AbortError" ? "timeout" : (e.code ?? e.name ?? "network error") };
  }
}
