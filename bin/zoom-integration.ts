// The image's entrypoint: one image, two programs. The install Deployment runs it with `operator`,
// each tenant's Deployment with `service` (common/tenant/contract.ts CONTAINER_ARGS); the remaining
// arguments go to that program.
const USAGE =
  "Usage: zoom-integration <operator|service> [flags]\n  operator  the ZoomIntegration operator (--help for its settings)\n  service   one tenant's Zoom integration service (--help for its settings)\n";

// NB: the command is removed from argv: the operator parses its flags strictly and would refuse it.
const [command] = process.argv.splice(2, 1);
switch (command) {
  case "operator":
    await import("../operator/main.ts");
    break;
  case "service":
    await import("../service/main.ts");
    break;
  case "-h":
  case "--help":
    process.stdout.write(USAGE);
    break;
  default:
    process.stderr.write(`${command === undefined ? "no command given" : `unknown command ${JSON.stringify(command)}`}\n\n${USAGE}`);
    process.exitCode = 2;
}
