// The Secrets mounted as files: client credentials, the booking app's bearer token, the state key
// and the webhook Secret Token. Kubelet swaps the files in place when a Secret changes, so they
// are re-read periodically and on demand: a rotated client secret works without a restart.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FileName } from "../../common/tenant/contract.ts";

export interface Secrets {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiToken: string;
  /** The token a rotation replaced, accepted until `expiresAt`; absent outside an overlap period. */
  readonly previousApiToken?: { readonly token: string; readonly expiresAt: string } | undefined;
  readonly stateKey: string;
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

/** An optional file: missing or empty reads as "" (the previous-token keys are empty outside a rotation). */
async function readOptional(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

async function readPreviousApiToken(dir: string): Promise<Secrets["previousApiToken"]> {
  const [token, expiresAt] = await Promise.all([
    readOptional(join(dir, FileName.PreviousApiToken)),
    readOptional(join(dir, FileName.PreviousApiTokenExpiresAt)),
  ]);
  return token && expiresAt ? { token, expiresAt } : undefined;
}

export async function readSecretFiles(files: SecretFiles): Promise<Secrets> {
  const [clientId, clientSecret, apiToken, stateKey, webhookSecretToken, previousApiToken] = await Promise.all([
    readTrimmed(join(files.credentialsDir, FileName.ClientId)),
    readTrimmed(join(files.credentialsDir, FileName.ClientSecret)),
    readTrimmed(join(files.apiTokenDir, FileName.ApiToken)),
    readTrimmed(join(files.apiTokenDir, FileName.StateKey)),
    files.webhookSecretFile === undefined ? undefined : readTrimmed(files.webhookSecretFile),
    readPreviousApiToken(files.apiTokenDir),
  ]);
  return { clientId, clientSecret, apiToken, previousApiToken, stateKey, webhookSecretToken };
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
