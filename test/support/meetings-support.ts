import type { AddressInfo } from "node:net";
import express from "express";
import pino from "pino";
import type { ZoomEmulator } from "../zoom-emulator/index.ts";
import { createZoomIntegrationClient, type ZoomIntegrationClient, ZoomIntegrationError } from "../../service/client/client.ts";
import { ErrorCode, ServiceError } from "../../service/errors.ts";
import { errorMiddleware } from "../../service/http/error-middleware.ts";
import { createOpenApiRouter } from "../../service/openapi/document.ts";
import type { AccessGrant, AccessTokens } from "../../service/tokens/access-tokens.ts";
import { createUsersRouter } from "../../service/users/router.ts";
import { createHostDirectory } from "../../service/hosts/hosts.ts";
import { createHostsRouter } from "../../service/hosts/router.ts";
import { createMemorySettingsStore, type OrganizationSettingsStore } from "../../service/settings/organization-settings.ts";
import { ZoomApi, type ZoomApiOptions } from "../../service/zoom/zoom-api.ts";
import type { IdempotencyTiming } from "../../service/meetings/idempotent-create.ts";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "../../service/meetings/idempotency-store.ts";
import { createMeetingsRouter } from "../../service/meetings/router.ts";
import type { CreateMeetingRequest } from "../../service/meetings/schemas.ts";

/**
 * Test-only wiring: real grants from the Zoom emulator (consent, code exchange, rotating refresh)
 * behind the AccessTokens seam, and the meetings/users routers in a minimal app with part 1's
 * error middleware. Nothing here stubs Zoom.
 */

const REDIRECT = "https://app.acme.example/organization/integration/zoom/redirect";

interface HeldGrant {
  grant: AccessGrant;
  refreshToken: string;
  refreshing: Promise<AccessGrant> | undefined;
}

/** One emulator app; `connect` gives an organization a grant as if its admin had consented. */
export class EmulatorAccessTokens implements AccessTokens {
  readonly #zoom: ZoomEmulator;
  readonly #clientId: string;
  readonly #secret: string;
  readonly #held = new Map<string, HeldGrant>();
  refreshes = 0;

  constructor(zoom: ZoomEmulator, clientId = "acme-client", secret = "acme-secret") {
    this.#zoom = zoom;
    this.#clientId = clientId;
    this.#secret = secret;
  }

  async connect(organizationId: string, login = "admin@acme.example"): Promise<AccessGrant> {
    const query = new URLSearchParams({ response_type: "code", client_id: this.#clientId, redirect_uri: REDIRECT, state: "s" });
    const code = new URL(this.#zoom.approve(`${this.#zoom.url}/oauth/authorize?${query}`, login)).searchParams.get("code") ?? "";
    const body = await this.#token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    const me = await fetch(`${body.api_url}/v2/users/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    const user = (await me.json()) as { id: string; account_id: string };
    const grant = {
      accessToken: body.access_token,
      apiUrl: body.api_url,
      accountId: user.account_id,
      userId: user.id,
      scopes: body.scope.split(" "),
    };
    this.#held.set(organizationId, { grant, refreshToken: body.refresh_token, refreshing: undefined });
    return grant;
  }

  async get(organizationId: string): Promise<AccessGrant> {
    return this.#holder(organizationId).grant;
  }

  async refreshAfterRejection(organizationId: string, rejected: string): Promise<AccessGrant> {
    const held = this.#holder(organizationId);
    if (held.grant.accessToken !== rejected) return held.grant;
    held.refreshing ??= this.#refresh(held).finally(() => {
      held.refreshing = undefined;
    });
    return held.refreshing;
  }

  async #refresh(held: HeldGrant): Promise<AccessGrant> {
    this.refreshes++;
    const body = await this.#token({ grant_type: "refresh_token", refresh_token: held.refreshToken }).catch((cause: unknown) => {
      throw new ServiceError(ErrorCode.ReauthorizationRequired, "The Zoom connection was revoked: an admin must connect Zoom again.", {
        cause,
      });
    });
    held.grant = { ...held.grant, accessToken: body.access_token };
    held.refreshToken = body.refresh_token;
    return held.grant;
  }

  #holder(organizationId: string): HeldGrant {
    const held = this.#held.get(organizationId);
    if (!held) throw new ServiceError(ErrorCode.ConnectionMissing, `Organization ${organizationId} has not connected Zoom.`);
    return held;
  }

  async #token(form: Record<string, string>): Promise<{ access_token: string; refresh_token: string; api_url: string; scope: string }> {
    const response = await fetch(`${this.#zoom.url}/oauth/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${this.#clientId}:${this.#secret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(form),
    });
    if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as never;
  }
}

export interface TestServiceOptions {
  readonly store?: IdempotencyStore;
  readonly timing?: Partial<IdempotencyTiming>;
  readonly zoomApi?: Partial<ZoomApiOptions>;
  /** Default: the emulator's clock, so leases and Zoom's created_at agree. */
  readonly clock?: () => number;
  readonly settings?: OrganizationSettingsStore;
}

export interface TestService {
  readonly url: string;
  readonly client: ZoomIntegrationClient;
  readonly tokens: EmulatorAccessTokens;
  readonly zoomApi: ZoomApi;
  close(): Promise<void>;
}

export const TEST_API_TOKEN = "test-api-token";

/** The routers in a tiny app on 127.0.0.1, with organization `acme` connected as admin@acme.example. */
export async function startTestService(zoom: ZoomEmulator, options: TestServiceOptions = {}): Promise<TestService> {
  const tokens = new EmulatorAccessTokens(zoom);
  await tokens.connect("acme");
  const logger = pino({ level: process.env.LOG_LEVEL ?? "silent" });
  const clock = options.clock ?? (() => zoom.clock.now());
  // NB: fast retries keep fault tests quick; the policy's shape is what is under test.
  const zoomApi = new ZoomApi({
    tokens,
    now: clock,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    timeouts: { headersMs: 2_000 },
    logger,
    ...options.zoomApi,
  });
  const deps = {
    zoom: zoomApi,
    idempotency: options.store ?? createMemoryIdempotencyStore(clock),
    hosts: createHostDirectory({ zoom: zoomApi, clock }),
    settings: options.settings ?? createMemorySettingsStore(),
    clock,
    random: Math.random,
    logger,
    // NB: a short settle keeps fault tests quick; tests of the settle itself set their own.
    timing: { settleMs: 50, ...options.timing },
  };
  const app = express();
  app.use((_req, res, next) => {
    res.locals["requestId"] = "test";
    next();
  });
  app.use(createMeetingsRouter(deps), createUsersRouter(deps), createHostsRouter(deps), createOpenApiRouter());
  app.use(errorMiddleware(logger));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    client: createZoomIntegrationClient({ baseUrl: url, token: TEST_API_TOKEN }),
    tokens,
    zoomApi,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await zoomApi.close();
    },
  };
}

/** A create the tests vary: 10:00 Berlin time, 9 days after the emulator clock the tests freeze. */
export const TEST_BOOKING: CreateMeetingRequest = {
  organizationId: "acme",
  bookingId: "booking-1",
  topic: "Consultation",
  startLocal: "2025-09-10T10:00",
  timeZone: "Europe/Berlin",
  durationMinutes: 30,
};

/** The client's error for a call expected to fail; anything else fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<ZoomIntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ZoomIntegrationError)) throw new Error(`expected a ZoomIntegrationError, got ${String(error)}`);
  return error;
}
