// The events API's request and answer shapes (zod: the handlers parse with them, the OpenAPI
// document is generated from them).
import { z } from "zod";
import { OrganizationId } from "../meetings/schemas.ts";
import { CloudEvent, OutboundEventTypeSchema } from "./event-types.ts";

export const EndpointRequest = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .max(2048)
    // NB: refinements run even when the URL check failed: never construct a URL that may not parse
    .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), "must not carry credentials (user:password@)")
    .refine((u) => !u.includes("#"), "must not have a fragment")
    .meta({
      description: "Where the events are POSTed (the booking app's receiver).",
      examples: ["https://app.acme.example/api/zoom-events"],
    }),
  types: z
    .array(OutboundEventTypeSchema)
    .min(1)
    .max(20)
    .optional()
    .meta({ description: "Only these event types are sent (the others are skipped, still in the pull API); absent = all." }),
});

export const RotateRequest = z.strictObject({
  overlapSeconds: z
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(86_400)
    .meta({ description: "How long the previous secret keeps signing too (both signatures are sent). Default 1 day." }),
});

export const EventsQuery = z.strictObject({
  organizationId: OrganizationId,
  after: z.string().max(64).optional().meta({ description: "The `next` of the previous page; absent = from the oldest retained event." }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const DeliveryStatus = z.object({
  state: z.enum(["Healthy", "Failing"]).meta({ description: "Failing: the last attempt failed; retried with backoff for 72 h." }),
  pendingEvents: z.int(),
  attempts: z.int().meta({ description: "Failed attempts in a row for the oldest pending event." }),
  failingSince: z.string().optional(),
  lastError: z.string().optional().meta({ description: "HTTP status, timeout or a network error name." }),
  nextAttemptAt: z.string().optional(),
  lastDeliveredAt: z.string().optional(),
});

export const EndpointView = z.object({
  organizationId: z.string(),
  url: z.string(),
  types: z.array(OutboundEventTypeSchema).nullable(),
  createdAt: z.string(),
  previousSecretExpiresAt: z
    .string()
    .optional()
    .meta({ description: "During a rotation's overlap: when the previous secret stops signing." }),
  delivery: DeliveryStatus,
});

export const EndpointCreated = EndpointView.extend({
  signingSecret: z.string().meta({ description: "whsec_...: shown once, at creation (and by a rotation); store it with the receiver." }),
});

export const RotatedSecret = z.object({
  signingSecret: z.string(),
  previousSecretExpiresAt: z.string().optional(),
});

export const EventsPage = z.object({
  events: z.array(CloudEvent),
  next: z.string().meta({ description: "Pass as `after` to read on; the same cursor when nothing newer exists yet." }),
  truncated: z.boolean().meta({ description: "Events between `after` and the first one answered expired (72 h) or were purged." }),
});
