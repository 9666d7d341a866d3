// Eager validation of TenantProps (cdk8s-plus style): every problem is listed at once, each naming
// the field, so the operator can put one precise message into the Ready condition.
import { resourceQuantityProblem } from "../../common/kube/quantity.ts";
import { REDIRECT_PATH } from "../../common/tenant/names.ts";
import type { LabelSelectorProps, ResourceProps, TenantProps } from "./props.ts";

/** Thrown by `validateTenantProps`; a permanent spec error, not worth retrying. */
export class InvalidTenantPropsError extends Error {
  readonly code = "InvalidTenantProps";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid tenant props: ${problems.join("; ")}`);
    this.name = "InvalidTenantPropsError";
    this.problems = problems;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// A Service name is an RFC 1035 label: it must start with a letter.
const RFC1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DOMAIN = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NO_SPACE = /^\S+$/;
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];
/** `<name>-zoom` must still be a 63-character label. */
export const MAX_NAME_LENGTH = 63 - "-zoom".length;
/** `app.<domain>` must still be a 253-character host name. */
export const MAX_DOMAIN_LENGTH = 253 - "app.".length;

type Report = (field: string, problem: string) => void;

/** Throws an `InvalidTenantPropsError` listing every problem; returns the props otherwise. */
export function validateTenantProps(props: TenantProps): TenantProps {
  const problems: string[] = [];
  const report: Report = (field, problem) => problems.push(`${field} ${problem}`);
  checkIdentity(props, report);
  checkSecrets(props, report);
  checkRouting(props, report);
  checkWorkload(props, report);
  if (problems.length > 0) throw new InvalidTenantPropsError(problems);
  return props;
}

function checkIdentity(props: TenantProps, report: Report): void {
  const { name, namespace, owner } = props;
  if (!RFC1035_LABEL.test(name) || name.length > MAX_NAME_LENGTH) {
    report(
      "name",
      `must be a lowercase RFC 1035 label of at most ${MAX_NAME_LENGTH} characters starting with a letter, got ${quote(name)}`,
    );
  }
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) report("namespace", `must be a DNS label, got ${quote(namespace)}`);
  if (owner.apiVersion !== "bookingops.dev/v1alpha1")
    report("owner.apiVersion", `must be bookingops.dev/v1alpha1, got ${quote(owner.apiVersion)}`);
  if (owner.kind !== "ZoomIntegration") report("owner.kind", `must be ZoomIntegration, got ${quote(owner.kind)}`);
  if (owner.name !== name) report("owner.name", `must equal name ${quote(name)}, got ${quote(owner.name)}`);
  if (owner.uid.trim() === "") report("owner.uid", "must not be empty");
  if (!DOMAIN.test(props.domain) || props.domain.length > MAX_DOMAIN_LENGTH) {
    report(
      "domain",
      `must be a lowercase DNS name such as acme.example (no scheme, port, path or trailing dot), got ${quote(props.domain)}`,
    );
  }
}

function checkSecrets(props: TenantProps, report: Report): void {
  const { credentialsSecret: creds, webhookSecret: webhook, apiToken } = props;
  checkSubdomain(creds.name, "credentialsSecret.name", report);
  checkSecretKey(creds.clientIdKey, "credentialsSecret.clientIdKey", report);
  checkSecretKey(creds.clientSecretKey, "credentialsSecret.clientSecretKey", report);
  if ((creds.clientIdKey ?? "clientId") === (creds.clientSecretKey ?? "clientSecret")) {
    report("credentialsSecret.clientSecretKey", "must differ from credentialsSecret.clientIdKey");
  }
  if (webhook) {
    checkSubdomain(webhook.name, "webhookSecret.name", report);
    checkSecretKey(webhook.key, "webhookSecret.key", report);
  }
  // NB: never echo these values: they are secrets.
  if (apiToken.token === "") report("apiToken.token", "must not be empty");
  if (apiToken.stateKey === "") report("apiToken.stateKey", "must not be empty");
  if (props.credentialsChecksum.trim() === "") report("credentialsChecksum", "must not be empty");
}

function checkRouting(props: TenantProps, report: Report): void {
  if (props.scopes.length === 0) report("scopes", "must name at least one scope");
  props.scopes.forEach((scope, i) => {
    if (!NO_SPACE.test(scope)) report(`scopes[${i}]`, `must be a non-empty scope without spaces, got ${quote(scope)}`);
    if (props.scopes.indexOf(scope) !== i) report(`scopes[${i}]`, `repeats ${quote(scope)}`);
  });
  if (props.afterConnectPath !== undefined) checkAfterConnectPath(props.afterConnectPath, report);
  checkSelector(props.clientsPodSelector, "clientsPodSelector", report);
  checkSelector(props.clientsNamespaceSelector, "clientsNamespaceSelector", report);
  checkSelector(props.metricsScrapers?.namespaceSelector, "metricsScrapers.namespaceSelector", report);
  checkSelector(props.metricsScrapers?.podSelector, "metricsScrapers.podSelector", report);
  const ingress = props.ingress ?? {};
  if (ingress.className !== undefined) checkSubdomain(ingress.className, "ingress.className", report);
  if (ingress.tlsSecretName !== undefined) checkSubdomain(ingress.tlsSecretName, "ingress.tlsSecretName", report);
  for (const key of Object.keys(ingress.annotations ?? {})) {
    if (!isQualifiedKey(key)) report(`ingress.annotations[${quote(key)}]`, "must be a qualified name such as example.com/key");
  }
  checkGateway(props, report);
  checkUrl(props.zoom?.oauthBaseUrl, "zoom.oauthBaseUrl", report);
  checkUrl(props.zoom?.apiBaseUrl, "zoom.apiBaseUrl", report);
}

function checkGateway({ gateway, ingress }: TenantProps, report: Report): void {
  if (gateway === undefined) return;
  if (ingress !== undefined) report("gateway", "must not be set together with ingress: a tenant is routed one way");
  if (gateway.parentRefs.length === 0) report("gateway.parentRefs", "must name at least one Gateway");
  gateway.parentRefs.forEach((ref, i) => {
    checkSubdomain(ref.name, `gateway.parentRefs[${i}].name`, report);
    if (ref.namespace !== undefined && !DNS_LABEL.test(ref.namespace))
      report(`gateway.parentRefs[${i}].namespace`, "must be a namespace name");
    if (ref.sectionName !== undefined && !DNS_LABEL.test(ref.sectionName))
      report(`gateway.parentRefs[${i}].sectionName`, "must be a listener name");
  });
}

function checkAfterConnectPath(path: string, report: Report): void {
  const field = "afterConnectPath";
  if (!path.startsWith("/")) report(field, `must be an absolute path starting with /, got ${quote(path)}`);
  if (!/^[\x21-\x7e]*$/.test(path)) report(field, "must be printable ASCII without spaces");
  if (path.includes("//") || path.includes("\\")) report(field, "must not contain // or \\ (a browser reads them as another host)");
  if (/(^|\/)\.\.?(\/|$)/.test(path)) report(field, "must not contain . or .. segments");
  if (/[?#:]/.test(path)) report(field, "must not contain a query, fragment, scheme or colon");
  if (path === REDIRECT_PATH) report(field, `must not be the OAuth redirect path ${REDIRECT_PATH}`);
}

function checkWorkload(props: TenantProps, report: Report): void {
  const { replicas, image, imagePullPolicy } = props;
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 1))
    report("replicas", `must be an integer of at least 1, got ${replicas}`);
  if (!NO_SPACE.test(image)) report("image", `must be a non-empty image reference without spaces, got ${quote(image)}`);
  if (imagePullPolicy !== undefined && !PULL_POLICIES.includes(imagePullPolicy)) {
    report("imagePullPolicy", `must be one of ${PULL_POLICIES.join(", ")}, got ${quote(imagePullPolicy)}`);
  }
  checkResources(props.resources, report);
}

function checkResources(resources: ResourceProps | undefined, report: Report): void {
  for (const kind of ["requests", "limits"] as const) {
    for (const [resource, value] of Object.entries(resources?.[kind] ?? {})) {
      const problem = value === undefined ? undefined : resourceQuantityProblem(value);
      if (problem) report(`resources.${kind}.${resource}`, problem);
    }
  }
}

function checkSelector(selector: LabelSelectorProps | undefined, field: string, report: Report): void {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (!isQualifiedKey(key)) report(`${field}.matchLabels`, `key ${quote(key)} must be a qualified name such as app.kubernetes.io/name`);
    if (!LABEL_VALUE.test(value) || value.length > 63)
      report(`${field}.matchLabels[${quote(key)}]`, `must be a label value, got ${quote(value)}`);
  }
  (selector?.matchExpressions ?? []).forEach((expr, i) => {
    const at = `${field}.matchExpressions[${i}]`;
    if (!isQualifiedKey(expr.key)) report(`${at}.key`, `must be a qualified name, got ${quote(expr.key)}`);
    if (!OPERATORS.includes(expr.operator)) {
      report(`${at}.operator`, `must be one of ${OPERATORS.join(", ")}, got ${quote(expr.operator)}`);
      return;
    }
    const hasValues = (expr.values ?? []).length > 0;
    const needsValues = expr.operator === "In" || expr.operator === "NotIn";
    if (needsValues && !hasValues) report(`${at}.values`, `must not be empty for operator ${expr.operator}`);
    if (!needsValues && hasValues) report(`${at}.values`, `must be empty for operator ${expr.operator}`);
  });
}

function checkSubdomain(value: string, field: string, report: Report): void {
  if (!DNS_SUBDOMAIN.test(value) || value.length > 253) report(field, `must be a DNS subdomain name, got ${quote(value)}`);
}

function checkSecretKey(value: string | undefined, field: string, report: Report): void {
  if (value === undefined) return;
  if (!SECRET_KEY.test(value) || value.length > 253)
    report(field, `must be a Secret key (letters, digits, -, _ and .), got ${quote(value)}`);
}

function checkUrl(value: string | undefined, field: string, report: Report): void {
  if (value === undefined) return;
  const url = URL.parse(value);
  const plain = url !== null && (url.protocol === "https:" || url.protocol === "http:");
  if (!plain || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    report(field, `must be an http(s) URL without user, query or fragment, got ${quote(value)}`);
  }
}

function isQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefixOk = prefix === undefined || (DNS_SUBDOMAIN.test(prefix) && prefix.length <= 253);
  return prefixOk && QUALIFIED_NAME.test(name) && name.length <= 63;
}

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
