// The admin's browser: Debian's Chromium (installed by scripts/run.sh; never a downloaded browser)
// driven by playwright-core, with an empty profile, headless, and a host resolver that maps the
// booking app's hostname to Traefik's loopback port and refuses every other name, so the browser
// cannot reach anything outside 127.0.0.0/8.
import { access, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

export interface BrowserProps {
  /** hostname -> "127.x.y.z:port" */
  readonly hosts: Readonly<Record<string, string>>;
}

export interface E2eBrowser {
  readonly context: BrowserContext;
  /** The profile directory (empty at start, removed by close()). */
  readonly profileDir: string;
  /** Console messages and page errors of every page, for failure output. */
  readonly console: string[];
  newPage(): Promise<Page>;
  /** Closes the browser, removes the profile, and fails if a Chromium process of it is still alive. */
  close(): Promise<void>;
}

/** Chromium's resolver rules: each mapped host to its address, every other name NOTFOUND. */
export function hostResolverRules(hosts: Readonly<Record<string, string>>): string {
  const maps = Object.entries(hosts).map(([host, to]) => {
    if (!/^127\.\d+\.\d+\.\d+(:\d+)?$/.test(to)) throw new Error(`${host} must map to a loopback address, not ${to}`);
    return `MAP ${host} ${to}`;
  });
  return [...maps, "MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1"].join(",");
}

export async function launchBrowser(props: BrowserProps): Promise<E2eBrowser> {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: run the tests through scripts/run.sh, which installs Debian's chromium`);
  });
  const profileDir = await mkdtemp(join(tmpdir(), "zio-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    // NB: the tenant's TLS Secret is self-signed in the tests; the cookie's Secure flag still applies (https).
    ignoreHTTPSErrors: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-proxy-server",
      `--host-resolver-rules=${hostResolverRules(props.hosts)}`,
    ],
    viewport: { width: 1024, height: 720 },
  });
  const consoleLines: string[] = [];
  // NB: without the query: on the callback it carries the authorization code.
  const where = (page: Page) => page.url().replace(/[?#].*$/, "");
  const watch = (page: Page) => {
    page.on("console", (m) => consoleLines.push(`[console.${m.type()}] ${where(page)}: ${m.text()}`));
    page.on("pageerror", (e) => consoleLines.push(`[pageerror] ${where(page)}: ${e.message}`));
  };
  context.on("page", watch);
  for (const page of context.pages()) watch(page);
  return {
    context,
    profileDir,
    console: consoleLines,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      const left = await processesMentioning(profileDir);
      await rm(profileDir, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`Chromium processes still running after close: ${left.join(", ")}`);
    },
  };
}

/** Pids whose command line mentions `text` (e.g. a profile directory): a leak check. */
export async function processesMentioning(text: string): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((d) => /^\d+$/.test(d));
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(Number(pid));
  }
  return found;
}
