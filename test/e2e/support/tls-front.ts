// A stand-in for the ingress controller: a tiny HTTPS reverse proxy for `app.<domain>` on loopback.
// It routes exactly as the operator's Ingress object says (read from the API server on every
// request: host, Exact and Prefix paths, backend Service and port), to the ready pods behind that
// Service (round robin, so the start of the flow and the callback may land on different replicas),
// preserving Host and adding the X-Forwarded-* headers an ingress controller adds. Every other path
// of the domain belongs to the booking app: `appHandler` answers it.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { type IncomingMessage, request as httpRequest, type ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { type KubeConfig, NetworkingV1Api, type V1Ingress } from "@kubernetes/client-node";
import { type Backend, roundRobin, serviceBackends } from "./cluster-network.ts";

const run = promisify(execFile);

export interface IngressRoute {
  readonly host: string;
  readonly path: string;
  readonly pathType: "Exact" | "Prefix";
  readonly service: string;
  readonly port: number | string;
}

/** One request the front saw, for assertions and failure output (no query strings: they carry codes). */
export interface FrontRequest {
  readonly method: string;
  readonly path: string;
  /** The Ingress path that matched, or "app" for the booking app's own pages. */
  readonly route: string;
  readonly backendPod: string | undefined;
  readonly status: number;
  readonly cookieNames: readonly string[];
}

export interface TlsFrontProps {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly ingressName: string;
  /** The hostname the certificate is for (`app.<domain>`). */
  readonly host: string;
  /** A directory for the key and certificate. */
  readonly dir: string;
  /** The booking app's own pages: every path the Ingress does not route. */
  readonly appHandler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface TlsFront {
  /** 127.0.0.1 */
  readonly address: string;
  readonly port: number;
  readonly requests: FrontRequest[];
  /** The routes of the Ingress as they are now. */
  routes(): Promise<IngressRoute[]>;
  close(): Promise<void>;
}

/** The Ingress's HTTP rules flattened; a rule without a service backend is refused (we have none). */
export function ingressRoutes(ingress: V1Ingress): IngressRoute[] {
  return (ingress.spec?.rules ?? []).flatMap((rule) =>
    (rule.http?.paths ?? []).map((p) => {
      const service = p.backend.service;
      if (!service) throw new Error(`Ingress ${ingress.metadata?.name}: path ${p.path} has no service backend`);
      if (p.pathType !== "Exact" && p.pathType !== "Prefix")
        throw new Error(`Ingress ${ingress.metadata?.name}: pathType ${p.pathType} is not portable`);
      return {
        host: rule.host ?? "*",
        path: p.path ?? "/",
        pathType: p.pathType,
        service: service.name,
        port: service.port?.number ?? service.port?.name ?? "",
      };
    }),
  );
}

/** Kubernetes semantics: Exact before Prefix; Prefix matches whole path elements; longest wins. */
export function matchRoute(routes: readonly IngressRoute[], host: string, path: string): IngressRoute | undefined {
  const forHost = routes.filter((r) => r.host === host || r.host === "*");
  const exact = forHost.find((r) => r.pathType === "Exact" && r.path === path);
  if (exact) return exact;
  const prefixMatches = (r: IngressRoute) => {
    const prefix = r.path.replace(/\/+$/, "");
    return prefix === "" || path === prefix || path.startsWith(`${prefix}/`);
  };
  return forHost.filter((r) => r.pathType === "Prefix" && prefixMatches(r)).sort((a, b) => b.path.length - a.path.length)[0];
}

async function selfSignedCertificate(dir: string, host: string): Promise<{ key: Buffer; cert: Buffer }> {
  const key = join(dir, "front.key");
  const cert = join(dir, "front.crt");
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    `/CN=${host}`,
    "-addext",
    `subjectAltName=DNS:${host}`,
  ]);
  return { key: await readFile(key), cert: await readFile(cert) };
}

const cookieNames = (req: IncomingMessage) =>
  (req.headers.cookie ?? "")
    .split(";")
    .map((c) => c.trim().split("=")[0] ?? "")
    .filter(Boolean);

export async function startTlsFront(props: TlsFrontProps): Promise<TlsFront> {
  const networking = props.kc.makeApiClient(NetworkingV1Api);
  const routes = async () => ingressRoutes(await networking.readNamespacedIngress({ namespace: props.namespace, name: props.ingressName }));
  const pick = roundRobin();
  const requests: FrontRequest[] = [];

  const proxy = (req: IncomingMessage, res: ServerResponse, backend: Backend, record: (status: number) => void) => {
    const upstream = httpRequest(
      {
        host: backend.ip,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          "x-forwarded-proto": "https",
          "x-forwarded-host": req.headers.host ?? "",
          "x-forwarded-for": req.socket.remoteAddress ?? "",
        },
        timeout: 15_000,
      },
      (answer) => {
        record(answer.statusCode ?? 502);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("timeout", () => upstream.destroy(new Error("upstream timeout")));
    upstream.on("error", (error) => {
      record(502);
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`bad gateway: ${error.message}`);
    });
    req.pipe(upstream);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", `https://${props.host}`);
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    const entry = { method: req.method ?? "GET", path: url.pathname, cookieNames: cookieNames(req) };
    const route = matchRoute(await routes(), host, url.pathname);
    if (!route) {
      res.on("finish", () => requests.push({ ...entry, route: "app", backendPod: undefined, status: res.statusCode }));
      props.appHandler(req, res);
      return;
    }
    const backend = pick(await serviceBackends(props.kc, props.namespace, route.service, route.port));
    const record = (status: number) =>
      requests.push({ ...entry, route: `${route.pathType} ${route.path}`, backendPod: backend?.pod, status });
    if (!backend) {
      record(503);
      res.writeHead(503, { "content-type": "text/plain" }).end(`no ready endpoint for ${route.service}:${route.port}`);
      return;
    }
    proxy(req, res, backend, record);
  };

  const server: Server = createServer(await selfSignedCertificate(props.dir, props.host), (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`front error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    address,
    port,
    requests,
    routes,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
