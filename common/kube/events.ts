// Kubernetes Events (core/v1): the one body and the one create call behind the operator's Events
// (condition transitions, revocation) and the service's (connection changes). What a failed create
// means is the caller's decision: the operator counts and propagates it, the service logs it.
import { MicroTime } from "./micro-time.ts";
import { type KubeAccess, rawRequest, resourcePath } from "./raw-client.ts";

/** The API server's limit on `message`, in UTF-8 bytes (it measures with Go's `len`). */
export const EVENT_MESSAGE_LIMIT_BYTES = 1024;

/** The object an Event is about. With `uid`, `kubectl describe` matches this very incarnation of it. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string | undefined;
}

/** Who reports: `component` fills source.component and reportingComponent, `instance` the reportingInstance (the pod). */
export interface EventReporter {
  readonly component: string;
  readonly instance: string;
}

export interface EventProps extends EventReporter {
  readonly involvedObject: InvolvedObject;
  readonly type: "Normal" | "Warning";
  /** A PascalCase reason constant. */
  readonly reason: string;
  /** Cut to the API server's limit. Never a secret: Events are readable by anyone who can list them. */
  readonly message: string;
  /** What the reporter was doing, e.g. "Reconcile". NB: required by the API server once eventTime is set. */
  readonly action: string;
  /** Epoch milliseconds. */
  readonly time: number;
}

/** The Event exactly as it goes over the wire (plain JSON, no I/O). */
export function buildEvent(p: EventProps) {
  const { apiVersion, kind, name, namespace, uid } = p.involvedObject;
  const timestamp = new Date(p.time).toISOString();
  return {
    apiVersion: "v1",
    kind: "Event",
    // NB: one name per Event: the server appends a random suffix, so two Events in the same millisecond never collide.
    metadata: { generateName: `${name}.`, namespace },
    involvedObject: { apiVersion, kind, name, namespace, ...(uid ? { uid } : {}) },
    type: p.type,
    reason: p.reason,
    message: cutUtf8(p.message, EVENT_MESSAGE_LIMIT_BYTES),
    action: p.action,
    source: { component: p.component },
    reportingComponent: p.component,
    reportingInstance: p.instance,
    firstTimestamp: timestamp,
    lastTimestamp: timestamp,
    eventTime: new MicroTime(p.time).toISOString(), // NB: a MicroTime: six fractional digits (see micro-time.ts)
    count: 1,
  };
}

export type EventBody = ReturnType<typeof buildEvent>;

/** Creates the Event in the involved object's namespace; a refusal is thrown (KubeHttpError). */
export async function createEvent(kc: KubeAccess, props: EventProps): Promise<void> {
  const body = buildEvent(props);
  await rawRequest(kc, { method: "POST", path: resourcePath("v1", "events", body.metadata.namespace), body });
}

/** The longest prefix of `text` within `maxBytes` of UTF-8 that does not split a character. */
function cutUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--; // back off a continuation byte
  return bytes.subarray(0, end).toString("utf8");
}
