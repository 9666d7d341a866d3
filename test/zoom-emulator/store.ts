import type { Occurrence, Recurrence } from "./recurrence.ts";
import type { Seed, SeedAccount, SeedApp, SeedUser } from "./seed.ts";

/** Why a grant stopped working; each maps to one refresh answer (see oauth-token.ts). */
export type GrantEnd = "revoked" | "superseded" | "reused";
export type AppStatus = "enabled" | "disabledByZoom" | "disabledByAdmin";
export type MeetingStatus = "waiting" | "started" | "finished";
/** Where a meeting's passcode came from (inspection only; Zoom does not say). */
export type PasswordSource = "given" | "default" | "autofilled" | "none";

export interface DeleteOptions {
  readonly scheduleForReminder: boolean | undefined;
  readonly cancelMeetingReminder: boolean | undefined;
}

export interface User extends SeedUser {
  readonly accountId: string;
  readonly createdAt: number;
  deleted: boolean;
}

export interface App extends SeedApp {
  status: AppStatus;
}

export interface Grant {
  readonly id: string;
  readonly clientId: string;
  readonly accountId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly createdAt: number;
  /** The only refresh token that still works; every older one is recorded in `refreshTokens`. */
  refreshToken: string;
  refreshExpiresAt: number;
  ended?: GrantEnd;
}

export interface AuthCode {
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly challenge?: string | undefined;
  readonly challengeMethod: "S256" | "plain";
  readonly expiresAt: number;
}

export interface AccessToken {
  readonly grantId: string;
  readonly expiresAt: number;
}

export interface Meeting {
  /** int64 above 2^53: a string of digits, never a JS number. */
  readonly id: string;
  readonly uuid: string;
  /** Mutable: `schedule_for` on PATCH moves the meeting to another host. */
  hostId: string;
  readonly accountId: string;
  readonly createdAt: number;
  topic: string;
  type: number;
  startTime: number;
  duration: number;
  timezone: string;
  agenda: string;
  password: string | undefined;
  settings: Record<string, unknown>;
  status: MeetingStatus;
  deleted: boolean;
  passwordSource: PasswordSource;
  /** Zoom turned the waiting room on because no passcode, waiting room or authentication secured it. */
  waitingRoomForced: boolean;
  /** type 8 only. */
  recurrence?: Recurrence | undefined;
  occurrences: Occurrence[];
  deleteOptions?: DeleteOptions | undefined;
}

export interface PageCursor {
  readonly accountId: string;
  readonly offset: number;
  readonly expiresAt: number;
}

export interface ReusedRefreshToken {
  readonly grantId: string;
  readonly at: number;
}

/**
 * One request to the token endpoint, timed on the wall clock (Date.now, not the emulator's clock), so
 * a test can tell which requests were in flight at once and where a client's crash landed.
 */
export interface TokenRequest {
  readonly arrivedAt: number;
  /** When the answer was written or the connection closed, whichever came first. */
  endedAt: number | undefined;
  /** When the handler ran (a refresh rotated the token, or was refused). */
  handledAt: number | undefined;
  grantType: string | undefined;
  /** The grant the presented refresh token belongs to. */
  grantId: string | undefined;
  /** answered: handled and written; lost: handled but the client was gone; abandoned: never handled. */
  result: "pending" | "answered" | "lost" | "abandoned";
  status: number | undefined;
}

/** All mutable emulator state. Plain maps: the handlers own the rules, this file owns the shapes. */
export class Store {
  readonly accounts = new Map<string, SeedAccount>();
  readonly users = new Map<string, User>();
  readonly apps = new Map<string, App>();
  readonly grants = new Map<string, Grant>();
  readonly codes = new Map<string, AuthCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  /** Every refresh token ever issued -> its grant; the grant knows which one is current. */
  readonly refreshTokens = new Map<string, string>();
  readonly meetings = new Map<string, Meeting>();
  readonly pageCursors = new Map<string, PageCursor>();
  readonly refreshCalls = new Map<string, number>();
  readonly reusedRefreshTokens: ReusedRefreshToken[] = [];
  readonly requestsPerRoute = new Map<string, number>();
  readonly tokenRequests: TokenRequest[] = [];

  constructor(seed: Seed, now: number) {
    for (const account of seed.accounts) {
      this.accounts.set(account.id, account);
      for (const user of account.users) this.users.set(user.id, { ...user, accountId: account.id, createdAt: now, deleted: false });
    }
    for (const app of seed.apps) this.apps.set(app.clientId, { ...app, status: "enabled" });
  }

  /** A user by id or e-mail (case-insensitive, as Zoom matches e-mails). */
  findUser(idOrEmail: string): User | undefined {
    const byId = this.users.get(idOrEmail);
    if (byId) return byId;
    const email = idOrEmail.toLowerCase();
    for (const user of this.users.values()) if (user.email.toLowerCase() === email) return user;
    return undefined;
  }

  accountTimezone(accountId: string): string {
    return this.accounts.get(accountId)?.timezone ?? "UTC";
  }

  liveGrantFor(clientId: string, accountId: string): Grant | undefined {
    for (const grant of this.grants.values())
      if (grant.clientId === clientId && grant.accountId === accountId && !grant.ended) return grant;
    return undefined;
  }
}
