// Configuration errors of the operator and the service: parsed once at start-up, every problem
// listed, and a main that answers them the same way (exit 2, the problems, a pointer to --help).
import type { z } from "zod";

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** One line per zod issue, naming the setting ("X: is required" rather than zod's wording). */
export function configProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join(".")}: ${i.message.endsWith("received undefined") ? "is required" : i.message}`);
}

/**
 * For a main: the loaded config, or (on a ConfigError) the problems on stderr and exit code 2.
 * Anything else is a bug and is rethrown.
 */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n\nRun with --help for the settings.\n`);
    process.exit(2);
  }
}
