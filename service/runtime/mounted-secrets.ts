// The Secrets mounted as files: client credentials, the booking app's bearer token, the state key
// (each with the value a rotation replaced, during its overlap) and the webhook Secret Token. Kubelet swaps the files in place when a Secret changes, so they
// are re-read periodically and on demand: a rotated client secret works without a restart.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FileName } from "../../common/tenant/contract.ts";
import type { StateKeys } from "../oauth/sealed.ts";

export interface Secrets {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiToken: string;
  /** The token a rotation replaced, accepted until `expiresAt`; absent outside an overlap period. */
  readonly previousApiToken?: { readonly token: string; readonly expiresAt: string } | undefined;
  /** Seals new values (the start ticket, the OAuth state). */
  readonly stateKey: string;
  /** The state key a rotation replaced: still opens values it sealed until `expiresAt`, never seals. */
  readonly previousStateKey?: { readonly key: string; readonly expiresAt: string } | undefined;
  /** Absent when no webhook Secret is configured: webhooks are then refused. */
  readonly webhookSecretToken: string | undefined;
}

export interface SecretFiles {
  readonly credentialsDir: string;
  readonly apiTokenDir: string;
  readonly webhookSecretFile: string | undefined;
}

export interface MountedSecrets {
  /** The last successfully read values; throws until the first read succeeded. */
  current(): Secrets;
  loaded(): boolean;
  /** Reads every file again (a half-written rotation keeps the previous values). */
  reload(): Promise<void>;
  stop(): void;
}

async function readTrimmed(file: string): Promise<string> {
  // NB: Secrets written by hand often end with a newline that is not part of the value.
  const value = (await readFile(file, "utf8")).trim();
  if (value === "") throw new Error(`${file} is empty`);
  return value;
}

/** An optional file: missing or empty reads as "" (the previous-* keys are empty outside a rotation). */
async function readOptional(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

/** A replaced value and the end of its overlap; undefined unless both files hold something. */
async function readPrevious(valueFile: string, expiresAtFile: string): Promise<{ value: string; expiresAt: string } | undefined> {
  const [value, expiresAt] = await Promise.all([readOptional(valueFile), readOptional(expiresAtFile)]);
  return value && expiresAt ? { value, expiresAt } : undefined;
}

/** The state keys that may open a sealed value at `now`: the previous one only until its overlap ends. */
export function unsealingKeys(secrets: Secrets, now: number): StateKeys {
  const previous = secrets.previousStateKey;
  const accepted = previous !== undefined && now < Date.parse(previous.expiresAt);
  return { current: secrets.stateKey, ...(accepted ? { previous: previous.key } : {}) };
}

export async function readSecretFiles(files: SecretFiles): Promise<Secrets> {
  const api = (name: string) => join(files.apiTokenDir, name);
  const [clientId, clientSecret, apiToken, stateKey, webhookSecretToken, previousToken, previousKey] = await Promise.all([
    readTrimmed(join(files.credentialsDir, FileName.ClientId)),
    readTrimmed(join(files.credentialsDir, FileName.ClientSecret)),
    readTrimmed(api(FileName.ApiToken)),
    readTrimmed(api(FileName.StateKey)),
    files.webhookSecretFile === undefined ? undefined : readTrimmed(files.webhookSecretFile),
    readPrevious(api(FileName.PreviousApiToken), api(FileName.PreviousApiTokenExpiresAt)),
    readPrevious(api(FileName.PreviousStateKey), api(FileName.PreviousStateKeyExpiresAt)),
  ]);
  return {
    clientId,
    clientSecret,
    apiToken,
    previousApiToken: previousToken && { token: previousToken.value, expiresAt: previousToken.expiresAt },
    stateKey,
    previousStateKey: previousKey && { key: previousKey.value, expiresAt: previousKey.expiresAt },
    webhookSecretToken,
  };
}

/** Loads the files now and re-reads them every `intervalMs` (default 10 s). */
export async function watchSecretFiles(
  files: SecretFiles,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): Promise<MountedSecrets> {
  let secrets: Secrets | undefined;
  const reload = async () => {
    secrets = await readSecretFiles(files);
  };
  await reload();
  const timer = setInterval(() => reload().catch((e) => options.onError?.(e)), options.intervalMs ?? 10_000);
  timer.unref();
  return {
    current() {
      if (!secrets) throw new Error("the mounted Secrets have not been read yet");
      return secrets;
    },
    loaded: () => secrets !== undefined,
    reload,
    stop: () => clearInterval(timer),
  };
}

/** Fixed values, for tests and handlers that need no files. */
export function staticSecrets(secrets: Secrets): MountedSecrets {
  return { current: () => secrets, loaded: () => true, reload: async () => {}, stop: () => {} };
}
