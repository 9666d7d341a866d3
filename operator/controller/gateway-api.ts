// The Gateway API is optional: a cluster without its CRDs keeps working in Ingress mode. The
// HTTPRoute informer starts once discovery shows httproutes; until then gateway-mode tenants get
// Routed=False GatewayAPIUnavailable, and the CRDs may be installed at any time later.
import { rawRequest, type KubeAccess } from "../../common/kube/raw-client.ts";
import { httpStatus } from "../errors.ts";
import { HTTP_ROUTE_API_VERSION } from "../../charts/tenant/routes.ts";

/** How often discovery is asked again while the Gateway API is missing. */
export const GATEWAY_API_POLL_MS = 15_000;

interface ApiResourceList {
  readonly resources?: readonly { readonly name: string }[];
}

/**
 * Whether the API server serves HTTPRoutes. NB: discovery is readable by every authenticated
 * user (system:discovery), so this needs no RBAC; a 404 means the CRDs are not installed.
 */
export async function httpRoutesServed(kc: KubeAccess): Promise<boolean> {
  try {
    const list = await rawRequest<ApiResourceList>(kc, { method: "GET", path: `/apis/${HTTP_ROUTE_API_VERSION}` });
    return (list.resources ?? []).some((r) => r.name === "httproutes");
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

export interface GatewayApiWatch {
  stop(): void;
}

/**
 * Calls `onServed` once, when HTTPRoutes are first served (at once if they already are), polling
 * discovery until then. A failing discovery call is retried at the next poll.
 */
export function whenHttpRoutesServed(
  kc: KubeAccess,
  onServed: () => Promise<void>,
  onError: (error: unknown) => void,
  pollMs = GATEWAY_API_POLL_MS,
): GatewayApiWatch & { readonly first: Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const poll = async (): Promise<void> => {
    try {
      if (await httpRoutesServed(kc)) return await onServed();
    } catch (error) {
      onError(error);
    }
    if (!stopped) {
      timer = setTimeout(() => void poll(), pollMs);
      timer.unref();
    }
  };
  return {
    first: poll(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
