import { Router } from "express";
import { z } from "zod";
import { ErrorCode } from "../errors.ts";
import { IdempotencyKeyHeader } from "../meetings/router.ts";
import { BusyPage, BusyQuery } from "../hosts/busy.ts";
import { CreateMeetingRequest, DeleteMeetingQuery, Meeting, MeetingId, OrganizationId, UpdateMeetingRequest } from "../meetings/schemas.ts";
import { OrganizationSettings } from "../settings/organization-settings.ts";
import { UsersPage, UsersQuery } from "../users/schemas.ts";
import { ConnectionView } from "../connections/connections.ts";
import { Authorization, AuthorizeBody } from "../oauth/oauth-routes.ts";
import { ERROR_CODE_DOCS } from "./error-codes.ts";
import { eventsPaths, eventWebhooks } from "./events-paths.ts";
import { publicPaths } from "./public-paths.ts";

/** The booking app's API as OpenAPI 3.1, generated from the same zod schemas the handlers parse with. */

/** What a create answers in every state of its key's record (meetings/meeting-life.ts). */
const CREATE_ANSWERS = [
  "Created, or the earlier result replayed. By the state of the key's record (kept 25 h):",
  "none or expired: a new meeting (201).",
  "pending (another request is creating it): waits up to 10 s for it, then 409 IDEMPOTENCY_IN_PROGRESS with Retry-After;",
  "if that request's replica died (lease of 2 min lapsed), this one takes over: the meeting it may have created is looked up at Zoom, else created (201).",
  "done and its meeting exists: that meeting as Zoom has it now, e.g. rescheduled by PATCH, or the new host's meeting after a host change (201, header Idempotent-Replayed: true).",
  "done but its meeting was cancelled (DELETE of the meeting, not of one occurrence) or deleted in Zoom: a new meeting (201), with this request's body.",
  "A different body under the same key: 422 IDEMPOTENCY_KEY_REUSED while the key's meeting exists or is being created.",
].join(" ");

const ErrorBody = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  requestId: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

type Json = Record<string, unknown>;

/** Named schemas live in components and are referenced; `$defs` inside a path would not resolve. */
const NAMED: Readonly<Record<string, z.ZodType>> = {
  CreateMeetingRequest,
  UpdateMeetingRequest,
  Meeting,
  UsersPage,
  OrganizationSettings,
  BusyPage,
  Connection: ConnectionView,
  Authorization,
  Error: ErrorBody,
};

function components(): Json {
  const registry = z.registry<{ id: string }>();
  for (const [id, type] of Object.entries(NAMED)) registry.add(type, { id });
  const out = z.toJSONSchema(registry, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(Object.entries(out.schemas).map(([id, s]) => [id, strip(s as Json)]));
}

function strip(value: Json): Json {
  const { $schema: _, $id: __, ...rest } = value;
  return rest;
}

function schema(type: z.ZodType, io: "input" | "output" = "output"): Json {
  const named = Object.entries(NAMED).find(([, t]) => t === type);
  if (named) return { $ref: `#/components/schemas/${named[0]}` };
  const { $schema: _, ...rest } = z.toJSONSchema(type, { io, unrepresentable: "any", target: "draft-2020-12" }) as Json;
  return rest;
}

const json = (type: z.ZodType, io: "input" | "output" = "output") => ({ "application/json": { schema: schema(type, io) } });
// NB: every route may need the API server (tokens, settings, idempotency records), so each may answer KUBERNETES_UNAVAILABLE.
const errors = (...listed: ErrorCode[]): Json => {
  const codes = [...listed, ErrorCode.KubernetesUnavailable];
  return Object.fromEntries(
    [...new Set(codes.map((code) => String(statusOf(code))))].map((status) => [
      status,
      { description: codes.filter((c) => String(statusOf(c)) === status).join(", "), content: json(ErrorBody) },
    ]),
  );
};

function statusOf(code: ErrorCode): number {
  return Number(/^(\d{3})/.exec(ERROR_CODE_DOCS[code])?.[1] ?? 500);
}

const UPSTREAM = [
  ErrorCode.ConnectionMissing,
  ErrorCode.ReauthorizationRequired,
  ErrorCode.MissingScopes,
  ErrorCode.ZoomRateLimited,
  ErrorCode.ZoomUnavailable,
  ErrorCode.ZoomBadResponse,
  ErrorCode.ZoomRejected,
  ErrorCode.Unauthorized,
  ErrorCode.BadRequest,
];
const orgQuery = { name: "organizationId", in: "query", required: true, schema: schema(OrganizationId) };
const orgPath = { name: "organizationId", in: "path", required: true, schema: schema(OrganizationId) };
const idPath = { name: "id", in: "path", required: true, schema: schema(MeetingId) };
const hostPath = { name: "host", in: "path", required: true, schema: { type: "string", description: "Zoom user id or e-mail." } };

/** Query parameters from a zod object (required unless optional). */
function queryParams(type: z.ZodType, required: readonly string[]): Json[] {
  return Object.entries((schema(type, "input").properties ?? {}) as Json).map(([name, s]) => ({
    name,
    in: "query",
    required: required.includes(name),
    schema: s,
  }));
}

const kit = { schema, json, errors, orgPath, queryParams };

/**
 * Every API operation that takes a body may answer 413 PAYLOAD_TOO_LARGE (the API's one JSON parser
 * has a 16 KiB limit): added here once instead of listed by hand per operation (the fuzzer found an
 * operation whose list lacked it).
 */
function withBodyLimit(paths: Json): Json {
  const tooLarge = errors(ErrorCode.PayloadTooLarge);
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item as Json).map(([method, operation]) => {
          const op = operation as Json;
          return [method, op.requestBody === undefined ? op : { ...op, responses: { ...tooLarge, ...(op.responses as Json) } }];
        }),
      ),
    ]),
  );
}

export function openApiDocument(): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "Zoom integration service (booking app API)",
      version: "1",
      description: `Every error answers {code, message, requestId[, details]}. Codes:\n${Object.entries(ERROR_CODE_DOCS)
        .map(([c, d]) => `- ${c}: ${d}`)
        .join("\n")}`,
    },
    components: { schemas: components(), securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths: {
      ...withBodyLimit(apiPaths()),
      ...publicPaths(schema(ErrorBody)),
    },
    webhooks: eventWebhooks(kit),
  };
}

/** The in-cluster API's paths (the booking app's). */
function apiPaths(): Json {
  return {
    "/v1/organizations/{organizationId}/zoom/authorization": {
      post: {
        summary: "Start connecting Zoom: the URL to send the organization's Zoom admin to",
        parameters: [orgPath],
        requestBody: { required: false, content: json(AuthorizeBody, "input") },
        responses: {
          201: { description: "Send the admin's browser to authorizationUrl", content: json(Authorization) },
          ...errors(ErrorCode.BadRequest, ErrorCode.Unauthorized),
        },
      },
    },
    "/v1/organizations/{organizationId}/zoom/connection": {
      get: {
        summary: "The organization's Zoom connection: Connected, MissingScopes, ReauthorizationRequired or NotConnected",
        parameters: [orgPath],
        responses: {
          200: { description: "The connection (no secrets)", content: json(ConnectionView) },
          ...errors(ErrorCode.BadRequest, ErrorCode.Unauthorized),
        },
      },
      delete: {
        summary: "Disconnect: revoke the grant at Zoom and forget the tokens (idempotent)",
        parameters: [orgPath],
        responses: {
          204: { description: "Disconnected, or was not connected" },
          ...errors(ErrorCode.BadRequest, ErrorCode.Unauthorized, ErrorCode.ZoomUnavailable),
        },
      },
    },
    "/v1/organizations/{organizationId}/zoom/connection/verify": {
      post: {
        summary: "Check the connection against Zoom (calls /users/me with its token)",
        parameters: [orgPath],
        responses: { 200: { description: "The connection after the check", content: json(ConnectionView) }, ...errors(...UPSTREAM) },
      },
    },
    "/v1/organizations/{organizationId}/zoom/settings": {
      get: {
        summary: "The organization's meeting settings (hostPolicy)",
        parameters: [orgPath],
        responses: {
          200: { description: "The settings (defaults when never set)", content: json(OrganizationSettings) },
          ...errors(ErrorCode.BadRequest, ErrorCode.Unauthorized),
        },
      },
      put: {
        summary: "Replace the organization's meeting settings",
        parameters: [orgPath],
        requestBody: { required: true, content: json(OrganizationSettings, "input") },
        responses: {
          200: { description: "The stored settings", content: json(OrganizationSettings) },
          ...errors(ErrorCode.BadRequest, ErrorCode.Unauthorized, ErrorCode.IdempotencyStoreUnavailable),
        },
      },
    },
    "/v1/organizations/{organizationId}/zoom/hosts/{host}/busy": {
      get: {
        summary:
          "A host's scheduled Zoom meetings (series expanded) overlapping [from, to), as busy intervals; one page of Zoom's list per call",
        parameters: [orgPath, hostPath, ...queryParams(BusyQuery, ["from", "to"])],
        responses: { 200: { description: "Busy intervals, sorted by start", content: json(BusyPage) }, ...errors(...UPSTREAM) },
      },
    },
    "/v1/meetings": {
      post: {
        summary: "Create a meeting for a booking (idempotent by Idempotency-Key or bookingId)",
        parameters: [{ name: "Idempotency-Key", in: "header", required: false, schema: schema(IdempotencyKeyHeader, "input") }],
        requestBody: { required: true, content: json(CreateMeetingRequest, "input") },
        responses: {
          201: { description: CREATE_ANSWERS, content: json(Meeting) },
          ...errors(
            ...UPSTREAM,
            ErrorCode.AmbiguousTime,
            ErrorCode.PayloadTooLarge,
            ErrorCode.IdempotencyInProgress,
            ErrorCode.IdempotencyMismatch,
            ErrorCode.IdempotencyStoreUnavailable,
            ErrorCode.ZoomDailyLimit,
            ErrorCode.HostCannotHost,
          ),
        },
      },
    },
    "/v1/meetings/{id}": {
      get: {
        summary: "Read a meeting (with a fresh start URL)",
        parameters: [idPath, orgQuery],
        responses: { 200: { description: "The meeting", content: json(Meeting) }, ...errors(...UPSTREAM, ErrorCode.MeetingGone) },
      },
      patch: {
        summary:
          "Reschedule, retitle, change one occurrence (occurrenceId) or the host (a new meeting: the answer's id replaces the old one); answers the meeting",
        parameters: [idPath],
        requestBody: { required: true, content: json(UpdateMeetingRequest, "input") },
        responses: {
          200: { description: "The updated meeting", content: json(Meeting) },
          ...errors(
            ...UPSTREAM,
            ErrorCode.MeetingGone,
            ErrorCode.NotFound,
            ErrorCode.AmbiguousTime,
            ErrorCode.ZoomDailyLimit,
            ErrorCode.PayloadTooLarge,
            ErrorCode.HostCannotHost,
          ),
        },
      },
      delete: {
        summary: "Cancel a meeting, a whole series or one occurrence (already gone counts as success)",
        parameters: [idPath, ...queryParams(DeleteMeetingQuery, ["organizationId"])],
        responses: {
          204: { description: "Deleted or already gone" },
          ...errors(...UPSTREAM, ErrorCode.MeetingInProgress, ErrorCode.MeetingEnded),
        },
      },
    },
    "/v1/users": {
      get: {
        summary: "Users of the connected Zoom account, paged",
        parameters: queryParams(UsersQuery, ["organizationId"]),
        responses: { 200: { description: "A page of users", content: json(UsersPage) }, ...errors(...UPSTREAM) },
      },
    },
    ...eventsPaths(kit),
  };
}

/** `GET /openapi.json`. */
export function createOpenApiRouter(): Router {
  const document = openApiDocument();
  const router = Router();
  router.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  return router;
}
