// JSON logs for the operator and the service. Secrets are redacted here, at the logger, by field
// name, so no call site can leak one by accident: tokens, codes, client secrets, Secret data,
// authorization headers and cookies print as "[redacted]".
import pino, { type Logger } from "pino";

export const REDACTED_KEYS = [
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "idToken",
  "code",
  "code_verifier",
  "codeVerifier",
  "clientSecret",
  "client_secret",
  "secret",
  "secretToken",
  "stateKey",
  "password",
  "apiToken",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "data",
  "stringData",
  "oauthState",
  "ticket",
  "verifier",
  "cookieValue",
] as const;

const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers.${k}`, `req.headers.${k}`]);

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly name: string;
  /** Where lines go (default stdout); tests pass a stream to scan every line. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths, censor: "[redacted]" },
      base: { component: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? process.stdout,
  );
}

export type { Logger };
