// Readiness and liveness probes, run the way kubelet runs them (httpGet and tcpSocket against the
// pod IP, period, timeout, success and failure thresholds), with the period capped so tests need
// not wait 5 s per step. Never connects outside 127.0.0.0/8.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { V1Container, V1Probe } from "@kubernetes/client-node";

/** True for an IPv4 loopback address (127.0.0.0/8): the only addresses the runner ever uses. */
export function isLoopback(ip: string | undefined): ip is string {
  return ip !== undefined && /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

/** A probe's port: a number, or the name of one of the container's ports. */
export function resolvePort(container: V1Container, port: number | string): number {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port)?.containerPort;
  if (named === undefined) throw new Error(`container ${container.name} has no port named ${port}`);
  return named;
}

/** One probe attempt: HTTP 200-399 or an accepted TCP connection within the timeout. */
export function probeOnce(probe: V1Probe, container: V1Container, host: string, timeoutMs: number): Promise<boolean> {
  if (!isLoopback(host)) throw new Error(`refusing to probe ${host}: not a loopback address`);
  return new Promise((resolve) => {
    if (probe.httpGet) {
      const g = probe.httpGet;
      const send = g.scheme === "HTTPS" ? httpsRequest : httpRequest;
      const headers = Object.fromEntries((g.httpHeaders ?? []).map((h) => [h.name, h.value]));
      const req = send(
        { host, port: resolvePort(container, g.port), path: g.path ?? "/", method: "GET", headers, rejectUnauthorized: false },
        (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(code >= 200 && code < 400);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy());
      req.on("error", () => resolve(false));
      req.end();
      return;
    }
    if (probe.tcpSocket) {
      const socket = connect({ host, port: resolvePort(container, probe.tcpSocket.port) });
      socket.setTimeout(timeoutMs, () => socket.destroy());
      socket.on("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
      socket.on("close", () => resolve(false));
      return;
    }
    resolve(true); // exec and grpc probes are not run: treated as passing
  });
}

export interface ProbeLoopProps {
  readonly probe: V1Probe;
  readonly container: V1Container;
  readonly host: string;
  /** Cap on periodSeconds and initialDelaySeconds. */
  readonly maxIntervalMs: number;
  /** Verdict before the first flip: false for readiness, true for liveness (as kubelet). @default false */
  readonly initial?: boolean;
  /** Called when the probe's verdict flips (after the success/failure threshold). */
  readonly onChange: (ok: boolean) => void;
}

/** Probes until stopped; `ok` starts at `initial` and flips by kubelet's threshold rules. */
export class ProbeLoop {
  ok: boolean;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private streak = 0; // consecutive results that disagree with `ok`
  private readonly props: ProbeLoopProps;

  constructor(props: ProbeLoopProps) {
    this.props = props;
    this.ok = props.initial ?? false;
    const p = props.probe;
    this.schedule(Math.min((p.initialDelaySeconds ?? 0) * 1000, props.maxIntervalMs));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const p = this.props.probe;
    const result = await probeOnce(p, this.props.container, this.props.host, (p.timeoutSeconds ?? 1) * 1000);
    if (this.stopped) return;
    this.streak = result === this.ok ? 0 : this.streak + 1;
    const threshold = result ? (p.successThreshold ?? 1) : (p.failureThreshold ?? 3);
    if (this.streak >= threshold) {
      this.ok = result;
      this.streak = 0;
      this.props.onChange(result);
    }
    this.schedule(Math.min((p.periodSeconds ?? 10) * 1000, this.props.maxIntervalMs));
  }
}
