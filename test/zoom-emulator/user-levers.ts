import type { z } from "zod";
import type { EmulatorContext } from "./context.ts";
import { userSeedSchema } from "./seed.ts";
import type { User } from "./store.ts";

/**
 * Test-side levers on users: add a host of a given kind, or change one mid-test (what a Zoom admin
 * does in the web portal: deactivate, unlicense, tighten passcode rules).
 */
export type SeedUserInput = Partial<z.input<typeof userSeedSchema>> & {
  /** Default: the first account of the seed. */
  readonly accountId?: string;
};

export interface UserChanges {
  readonly type?: 1 | 2;
  readonly status?: "active" | "inactive" | "pending";
  readonly passcode?: Partial<z.input<typeof userSeedSchema>["passcode"]>;
  readonly meetingAuthentication?: boolean;
}

export interface UserLevers {
  /** Adds a user (default: licensed, active, passcode rules of length 6) and returns it. */
  seedUser(input?: SeedUserInput): User;
  /** Changes a user's licence, status, passcode settings or authentication default. */
  setUser(userIdOrEmail: string, changes: UserChanges): User;
  /** Meeting creates+updates the host has left today (Zoom's 100 per host user, reset 00:00 UTC). */
  dailyWritesLeft(userIdOrEmail: string): number;
}

export function userLevers(ctx: EmulatorContext): UserLevers {
  const { store } = ctx;
  let seeded = 0;
  const find = (idOrEmail: string): User => {
    const user = store.findUser(idOrEmail);
    if (!user) throw new Error(`zoom-emulator: no user ${idOrEmail}`);
    return user;
  };
  return {
    seedUser(input = {}) {
      const { accountId = [...store.accounts.keys()][0] ?? "", ...rest } = input;
      const account = store.accounts.get(accountId);
      if (!account) throw new Error(`zoom-emulator: no account ${accountId}`);
      seeded += 1;
      const id = rest.id ?? `seeded-${seeded}-${ctx.ids.token().slice(0, 6).toLowerCase()}`;
      const parsed = userSeedSchema.parse({ email: `${id}@${accountId}.example`, ...rest, id });
      if (store.findUser(parsed.id) || store.findUser(parsed.email)) throw new Error(`zoom-emulator: user ${parsed.id} exists`);
      const user: User = { ...parsed, accountId, createdAt: ctx.clock.now(), deleted: false };
      store.users.set(user.id, user);
      return user;
    },
    setUser(idOrEmail, changes) {
      const user = find(idOrEmail);
      const passcode = userSeedSchema.shape.passcode.parse({
        ...user.passcode,
        ...changes.passcode,
        requirement: { ...user.passcode.requirement, ...changes.passcode?.requirement },
      });
      Object.assign(user, { ...changes, passcode });
      return user;
    },
    dailyWritesLeft: (idOrEmail) => ctx.limiter.dailyRemaining(find(idOrEmail).id, ctx.clock.now()),
  };
}
