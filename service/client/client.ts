import { type Dispatcher, request } from "undici";
import type { ErrorCode } from "../errors.ts";
import type { BusyPage } from "../hosts/busy.ts";
import type { CreateMeetingRequest, Meeting, UpdateMeetingRequest } from "../meetings/schemas.ts";
import type { OrganizationSettings } from "../settings/organization-settings.ts";
import type { UsersPage, UsersQuery } from "../users/schemas.ts";
import type { z } from "zod";
import type { CloudEvent, OutboundEventType } from "../events/event-types.ts";
import type { EndpointCreated, EndpointView, EventsPage, RotatedSecret } from "../events/schemas.ts";

export { verifyWebhook, WebhookVerificationError } from "./webhook-verifier.ts";
export type { CloudEvent, OutboundEventType };
export type EventEndpoint = z.infer<typeof EndpointView>;
export type CreatedEventEndpoint = z.infer<typeof EndpointCreated>;
export type EventsPageAnswer = z.infer<typeof EventsPage>;

/**
 * The booking app's view of the service: typed calls, the bearer token on each, errors as
 * ZoomIntegrationError with the service's stable code. Meeting ids are strings end to end.
 */

export interface ZoomIntegrationClientOptions {
  /** The internal endpoint, e.g. http://acme-zoom.booking.svc:8081 (status.endpoint). */
  readonly baseUrl: string;
  /** The `token` key of the `<name>-zoom-api-token` Secret. */
  readonly token: string;
  readonly dispatcher?: Dispatcher;
}

export class ZoomIntegrationError extends Error {
  readonly status: number;
  readonly code: ErrorCode | "UNEXPECTED_RESPONSE";
  readonly requestId: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    status: number,
    body: { code?: string; message?: string; requestId?: string; details?: Record<string, unknown> },
    retryAfter: string | undefined,
  ) {
    super(body.message ?? `HTTP ${status}`);
    this.name = "ZoomIntegrationError";
    this.status = status;
    this.code = (body.code as ErrorCode | undefined) ?? "UNEXPECTED_RESPONSE";
    this.requestId = body.requestId;
    this.details = body.details;
    this.retryAfterSeconds = retryAfter === undefined ? undefined : Number(retryAfter);
  }
}

export interface CreateMeetingOptions {
  /** Default: the booking id decides (the service uses it as the key). */
  readonly idempotencyKey?: string;
}

/** Cancel options; Zoom's notification e-mails are off unless asked (the booking app sends its own). */
export interface DeleteMeetingOptions {
  /** Cancel only this occurrence of a series. */
  readonly occurrenceId?: string;
  /** Zoom e-mails the host and alternative hosts. Default false. */
  readonly notifyHost?: boolean;
  /** Zoom e-mails the registrants. Default false. */
  readonly notifyRegistrants?: boolean;
}

export interface BusyQuery {
  readonly organizationId: string;
  /** Zoom user id or e-mail. */
  readonly host: string;
  /** Instants with Z or an offset; at most 93 days apart. */
  readonly from: string;
  readonly to: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface CreatedMeeting extends Meeting {
  /** true when an earlier request with the same key created it. */
  readonly replayed: boolean;
}

/** Where to send the organization's Zoom admin (valid for 10 minutes). */
export interface Authorization {
  readonly authorizationUrl: string;
  readonly expiresAt: string;
}

/** An organization's Zoom connection as the service reports it (no secrets). */
export interface Connection {
  readonly state: "Connected" | "MissingScopes" | "ReauthorizationRequired" | "NotConnected";
  readonly accountId?: string;
  readonly userId?: string;
  readonly scopes?: readonly string[];
  readonly missingScopes?: readonly string[];
  readonly connectedAt?: string;
  readonly lastRefreshAt?: string;
  readonly reason?: string;
}

export interface ZoomIntegrationClient {
  /** Starts connecting Zoom: send the admin's browser to `authorizationUrl`. */
  startAuthorization(organizationId: string, returnPath?: string): Promise<Authorization>;
  getConnection(organizationId: string): Promise<Connection>;
  /** Revokes the grant at Zoom and forgets the tokens (idempotent). */
  disconnect(organizationId: string): Promise<void>;
  createMeeting(body: CreateMeetingRequest, options?: CreateMeetingOptions): Promise<CreatedMeeting>;
  getMeeting(organizationId: string, meetingId: string): Promise<Meeting>;
  updateMeeting(meetingId: string, body: UpdateMeetingRequest): Promise<Meeting>;
  deleteMeeting(organizationId: string, meetingId: string, options?: DeleteMeetingOptions): Promise<void>;
  listUsers(query: UsersQuery): Promise<UsersPage>;
  getSettings(organizationId: string): Promise<OrganizationSettings>;
  putSettings(organizationId: string, settings: OrganizationSettings): Promise<OrganizationSettings>;
  /** One page of a host's scheduled Zoom meetings as busy intervals (series expanded). */
  busyTimes(query: BusyQuery): Promise<BusyPage>;
  /**
   * Registers (or changes) the organization's event endpoint. `signingSecret` is answered only when
   * the endpoint is created: keep it with the receiver (verifyWebhook checks deliveries with it).
   */
  putEventEndpoint(
    organizationId: string,
    endpoint: { url: string; types?: readonly OutboundEventType[] },
  ): Promise<EventEndpoint & { signingSecret?: string }>;
  /** The endpoint and its delivery state (Healthy or Failing, pending events, last error). */
  getEventEndpoint(organizationId: string): Promise<EventEndpoint>;
  deleteEventEndpoint(organizationId: string): Promise<void>;
  /** A new signing secret; the previous one keeps signing for `overlapSeconds` (default 1 day). */
  rotateEventSigningSecret(organizationId: string, overlapSeconds?: number): Promise<z.infer<typeof RotatedSecret>>;
  /** Events after `after` (the previous page's `next`), oldest first. */
  pullEvents(query: { organizationId: string; after?: string; limit?: number }): Promise<EventsPageAnswer>;
  openApi(): Promise<Record<string, unknown>>;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: unknown;
}

export function createZoomIntegrationClient(options: ZoomIntegrationClientOptions): ZoomIntegrationClient {
  const send = async (
    method: Dispatcher.HttpMethod,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await request(new URL(path, options.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher: options.dispatcher,
    });
    const text = await response.body.text();
    const json = text === "" ? undefined : safeJson(text);
    if (response.statusCode >= 400)
      throw new ZoomIntegrationError(response.statusCode, (json ?? {}) as Record<string, never>, header(response.headers, "retry-after"));
    return { status: response.statusCode, headers: response.headers, json };
  };
  const org = (organizationId: string) => `organizationId=${encodeURIComponent(organizationId)}`;
  const meetingPath = (id: string) => `/v1/meetings/${encodeURIComponent(id)}`;
  const connectionPath = (organizationId: string) => `/v1/organizations/${encodeURIComponent(organizationId)}/zoom`;
  return {
    startAuthorization: async (organizationId, returnPath) =>
      (await send("POST", `${connectionPath(organizationId)}/authorization`, returnPath === undefined ? {} : { returnPath }))
        .json as Authorization,
    getConnection: async (organizationId) => (await send("GET", `${connectionPath(organizationId)}/connection`)).json as Connection,
    async disconnect(organizationId) {
      await send("DELETE", `${connectionPath(organizationId)}/connection`);
    },
    async createMeeting(body, createOptions = {}) {
      const headers: Record<string, string> =
        createOptions.idempotencyKey === undefined ? {} : { "idempotency-key": createOptions.idempotencyKey };
      const answer = await send("POST", "/v1/meetings", body, headers);
      return { ...(answer.json as Meeting), replayed: header(answer.headers, "idempotent-replayed") === "true" };
    },
    getMeeting: async (organizationId, id) => (await send("GET", `${meetingPath(id)}?${org(organizationId)}`)).json as Meeting,
    updateMeeting: async (id, body) => (await send("PATCH", meetingPath(id), body)).json as Meeting,
    async deleteMeeting(organizationId, id, deleteOptions = {}) {
      const params = new URLSearchParams({ organizationId });
      if (deleteOptions.occurrenceId !== undefined) params.set("occurrenceId", deleteOptions.occurrenceId);
      if (deleteOptions.notifyHost !== undefined) params.set("notifyHost", String(deleteOptions.notifyHost));
      if (deleteOptions.notifyRegistrants !== undefined) params.set("notifyRegistrants", String(deleteOptions.notifyRegistrants));
      await send("DELETE", `${meetingPath(id)}?${params}`);
    },
    getSettings: async (organizationId) => (await send("GET", `${connectionPath(organizationId)}/settings`)).json as OrganizationSettings,
    putSettings: async (organizationId, settings) =>
      (await send("PUT", `${connectionPath(organizationId)}/settings`, settings)).json as OrganizationSettings,
    async busyTimes(query) {
      const params = new URLSearchParams({ from: query.from, to: query.to });
      if (query.pageSize !== undefined) params.set("pageSize", String(query.pageSize));
      if (query.pageToken !== undefined) params.set("pageToken", query.pageToken);
      const path = `${connectionPath(query.organizationId)}/hosts/${encodeURIComponent(query.host)}/busy?${params}`;
      return (await send("GET", path)).json as BusyPage;
    },
    async listUsers(query) {
      const params = new URLSearchParams({ organizationId: query.organizationId });
      if (query.pageSize !== undefined) params.set("pageSize", String(query.pageSize));
      if (query.pageToken !== undefined) params.set("pageToken", query.pageToken);
      return (await send("GET", `/v1/users?${params}`)).json as UsersPage;
    },
    putEventEndpoint: async (organizationId, endpoint) =>
      (await send("PUT", `${connectionPath(organizationId)}/events/endpoint`, endpoint)).json as CreatedEventEndpoint,
    getEventEndpoint: async (organizationId) =>
      (await send("GET", `${connectionPath(organizationId)}/events/endpoint`)).json as EventEndpoint,
    async deleteEventEndpoint(organizationId) {
      await send("DELETE", `${connectionPath(organizationId)}/events/endpoint`);
    },
    rotateEventSigningSecret: async (organizationId, overlapSeconds) =>
      (
        await send(
          "POST",
          `${connectionPath(organizationId)}/events/endpoint/secret`,
          overlapSeconds === undefined ? {} : { overlapSeconds },
        )
      ).json as z.infer<typeof RotatedSecret>,
    async pullEvents(query) {
      const params = new URLSearchParams({ organizationId: query.organizationId });
      if (query.after !== undefined) params.set("after", query.after);
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      return (await send("GET", `/v1/events?${params}`)).json as EventsPageAnswer;
    },
    openApi: async () => (await send("GET", "/openapi.json")).json as Record<string, unknown>,
  };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // NB: a non-JSON answer (a proxy's error page) becomes UNEXPECTED_RESPONSE, not a parse crash.
    return undefined;
  }
}
