import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { startZoomEmulator, type ZoomEmulatorOptions } from "./index.ts";
import type { SeedInput } from "./seed.ts";

/** `npm run emulator -- [options]`: the emulator as a standalone process (sandbox, benchmarks). */
const HELP = `Usage: npm run emulator -- [options]

A strict Zoom emulator: OAuth (/oauth/authorize, /oauth/token, /oauth/revoke) and the REST API
(/v2/users, /v2/meetings) on one origin. Open /oauth/authorize?... in a browser to consent.

Options:
  --port <n>           port to listen on (default 0: any free port)
  --host <addr>        address to listen on (default 127.0.0.1)
  --seed <file>        accounts, users and apps as YAML or JSON (default: the built-in acme/globex seed)
  --api-url <url>      api_url returned in token responses (default: the emulator's own URL)
  --frozen-at <time>   freeze the clock at this ISO instant (default: system time)
  --no-rate-limits     turn off per-second and daily limits (benchmarks)
  --revoke-on-reuse    a reused refresh token also revokes the whole grant
  -h, --help           show this help

The first line on stdout is "zoom-emulator listening on <url>".`;

function optionsFrom(argv: string[]): ZoomEmulatorOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      "api-url": { type: "string" },
      "frozen-at": { type: "string" },
      "no-rate-limits": { type: "boolean" },
      "revoke-on-reuse": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return undefined;
  const seed = values.seed === undefined ? undefined : (parseYaml(readFileSync(values.seed, "utf8")) as SeedInput);
  return {
    port: values.port === undefined ? 0 : Number(values.port),
    host: values.host ?? "127.0.0.1",
    ...(seed ? { seed } : {}),
    ...(values["api-url"] ? { apiUrl: values["api-url"] } : {}),
    ...(values["frozen-at"] ? { clock: { frozenAt: values["frozen-at"] } } : {}),
    behaviour: { rateLimits: !values["no-rate-limits"], revokeGrantOnRefreshReuse: values["revoke-on-reuse"] ?? false },
  };
}

async function main(): Promise<void> {
  const options = optionsFrom(process.argv.slice(2));
  if (!options) {
    console.log(HELP);
    return;
  }
  const zoom = await startZoomEmulator(options);
  console.log(`zoom-emulator listening on ${zoom.url}`);
  const stop = () => void zoom.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
