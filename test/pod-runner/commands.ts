// Which local command runs a pod's container: a small table from container image/args to a command
// line, because kwok pods have no image to run. The default runs the real service for the tenant
// chart's container (`args: ["service"]`).
import { join } from "node:path";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { CONTAINER_ARGS } from "../../common/tenant/contract.ts";
import { repoRoot } from "../cluster/paths.ts";

export interface ContainerCommand {
  /** Executable (absolute, or found on the runner's PATH). */
  readonly command: string;
  readonly args: readonly string[];
  /** @default the repository root */
  readonly cwd?: string;
  /** Added to the container's env (after it, so these win), e.g. LOG_LEVEL or NODE_EXTRA_CA_CERTS. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Maps one container of a pod to a command; undefined = this runner cannot run it. */
export type CommandFor = (pod: V1Pod, container: V1Container) => ContainerCommand | undefined;

export interface CommandRule {
  /** Matches the container image exactly, or by pattern. @default any image */
  readonly image?: string | RegExp;
  /** Matches the container's args exactly. @default any args */
  readonly args?: readonly string[];
  readonly run: ContainerCommand;
}

/** `node service/main.ts` for the tenant chart's service container. */
export const SERVICE_RULE: CommandRule = {
  args: CONTAINER_ARGS,
  run: { command: process.execPath, args: [join(repoRoot, "service", "main.ts")], cwd: repoRoot },
};

function matches(rule: CommandRule, container: V1Container): boolean {
  const image = container.image ?? "";
  if (typeof rule.image === "string" && rule.image !== image) return false;
  if (rule.image instanceof RegExp && !rule.image.test(image)) return false;
  if (rule.args && JSON.stringify(rule.args) !== JSON.stringify(container.args ?? [])) return false;
  return true;
}

/** The first matching rule wins. */
export function commandTable(rules: readonly CommandRule[] = [SERVICE_RULE]): CommandFor {
  return (_pod, container) => rules.find((rule) => matches(rule, container))?.run;
}

/**
 * Parses a CLI mapping `ARGS=COMMAND LINE`, e.g. `service=node service/main.ts`: container args
 * (space separated; empty = any) to a command line (split on spaces, no quoting).
 */
export function parseCommandRule(text: string): CommandRule {
  const at = text.indexOf("=");
  const words = (s: string) => s.split(" ").filter(Boolean);
  const line = at < 0 ? [] : words(text.slice(at + 1));
  const [command, ...args] = line;
  if (command === undefined) throw new Error(`--command ${JSON.stringify(text)}: expected ARGS=COMMAND LINE`);
  const containerArgs = words(text.slice(0, at));
  return { ...(containerArgs.length ? { args: containerArgs } : {}), run: { command, args } };
}
