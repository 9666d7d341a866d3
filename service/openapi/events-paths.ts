// The events part of the OpenAPI document: the endpoint registration and pull API paths, and the
// events themselves as OpenAPI 3.1 `webhooks` (what the service POSTs to the booking app).
import type { z } from "zod";
import { ErrorCode } from "../errors.ts";
import { CloudEvent, dataSchemaOf, OUTBOUND_EVENT_TYPES } from "../events/event-types.ts";
import {
  EndpointCreated,
  EndpointRequest,
  EndpointView,
  EventsPage,
  EventsQuery,
  RotatedSecret,
  RotateRequest,
} from "../events/schemas.ts";

type Json = Record<string, unknown>;

export interface DocumentKit {
  readonly schema: (type: z.ZodType, io?: "input" | "output") => Json;
  readonly json: (type: z.ZodType, io?: "input" | "output") => Json;
  readonly errors: (...codes: ErrorCode[]) => Json;
  readonly orgPath: Json;
  readonly queryParams: (type: z.ZodType, required: readonly string[]) => Json[];
}

const SIGNING =
  "Signed the Standard Webhooks way (https://www.standardwebhooks.com): `webhook-signature` holds `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<raw body>` keyed with the base64 after `whsec_` of the endpoint's signing secret, one entry per live secret (two during a rotation's overlap). Verify before parsing (service/client/webhook-verifier.ts, or any Standard Webhooks library), refuse timestamps more than 5 minutes away, and de-duplicate on `id` (= `webhook-id`): delivery is at least once, in order per organization. Answer 2xx within 10 s; anything else is retried with exponential backoff and jitter for 72 h.";

export function eventsPaths(k: DocumentKit): Json {
  const store = [ErrorCode.BadRequest, ErrorCode.Unauthorized, ErrorCode.EventsStoreUnavailable];
  return {
    "/v1/organizations/{organizationId}/zoom/events/endpoint": {
      put: {
        summary: "Register (or change) where the organization's events are POSTed; the signing secret is answered at creation only",
        parameters: [k.orgPath],
        requestBody: { required: true, content: k.json(EndpointRequest, "input") },
        responses: {
          200: { description: "Changed (no secret)", content: k.json(EndpointView) },
          201: { description: "Registered: store signingSecret now, it is never shown again", content: k.json(EndpointCreated) },
          ...k.errors(...store),
        },
      },
      get: {
        summary: "The endpoint and its delivery state (Healthy or Failing, pending events, last error); no secret",
        parameters: [k.orgPath],
        responses: { 200: { description: "The endpoint", content: k.json(EndpointView) }, ...k.errors(...store, ErrorCode.NotFound) },
      },
      delete: {
        summary: "Stop pushing events (they stay in the pull API); idempotent",
        parameters: [k.orgPath],
        responses: { 204: { description: "Removed, or there was none" }, ...k.errors(...store) },
      },
    },
    "/v1/organizations/{organizationId}/zoom/events/endpoint/secret": {
      post: {
        summary: "Rotate the signing secret: the new one signs at once, the previous one too until the overlap ends",
        parameters: [k.orgPath],
        requestBody: { required: false, content: k.json(RotateRequest, "input") },
        responses: {
          200: { description: "The new secret (shown once)", content: k.json(RotatedSecret) },
          ...k.errors(...store, ErrorCode.NotFound),
        },
      },
    },
    "/v1/events": {
      get: {
        summary:
          "The organization's retained events in order, after a cursor (undelivered ones 72 h, delivered ones 24 h): for catching up, or for polling without an endpoint",
        parameters: k.queryParams(EventsQuery, ["organizationId"]),
        responses: { 200: { description: "A page of events", content: k.json(EventsPage) }, ...k.errors(...store) },
      },
    },
  };
}

/** One OpenAPI 3.1 webhook per event type: a CloudEvent (structured JSON) whose data is that type's. */
export function eventWebhooks(k: DocumentKit): Json {
  const headers = ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => ({
    name,
    in: "header",
    required: true,
    schema: { type: "string" },
  }));
  const envelope = k.schema(CloudEvent) as { properties?: Json; required?: string[] };
  return Object.fromEntries(
    OUTBOUND_EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          summary: `${type}, as a CloudEvents 1.0 structured JSON body`,
          description: SIGNING,
          parameters: headers,
          requestBody: {
            required: true,
            content: {
              "application/cloudevents+json": {
                schema: {
                  ...envelope,
                  properties: { ...envelope.properties, type: { const: type }, data: k.schema(dataSchemaOf(type)) },
                },
              },
            },
          },
          responses: { "2XX": { description: "Accepted; anything else is retried" } },
        },
      },
    ]),
  );
}
