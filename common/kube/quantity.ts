// resource.Quantity, exactly as the API server reads it: one grammar for the CRD's schema, the
// tenant chart's validation and the install chart's. The pattern is the one Kubernetes publishes in
// its OpenAPI for Quantity (optional sign; decimal suffixes n u m k M G T P E; binary Ki..Ei; or a
// decimal exponent), so nothing the API server accepts is refused here, and nothing it refuses passes.

/** The regular expression source, also written into the CRD's OpenAPI `pattern`. */
export const QUANTITY_PATTERN =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
const QUANTITY = new RegExp(QUANTITY_PATTERN);

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

const DECIMAL = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const SUFFIX: Readonly<Record<string, number>> = { ...DECIMAL, ...BINARY };

/** A quantity as a number (cores or bytes), precise enough to compare; NaN when malformed. */
export function quantityValue(q: number | string): number {
  if (typeof q === "number") return q;
  if (!isQuantity(q)) return Number.NaN;
  const match = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(q);
  const [, num = "", suffix = ""] = match ?? [];
  if (/^[eE]/.test(suffix)) return Number(num + suffix);
  return Number(num) * (SUFFIX[suffix] ?? Number.NaN);
}

/**
 * Why `value` cannot be a container's resource quantity, or undefined when it can. The grammar
 * allows a sign, but the API server refuses negative requests and limits in a pod.
 */
export function resourceQuantityProblem(value: string): string | undefined {
  if (!isQuantity(value)) return `must be a Kubernetes quantity such as 100m or 64Mi, got ${JSON.stringify(value)}`;
  if (quantityValue(value) < 0) return `must not be negative, got ${JSON.stringify(value)}`;
  return undefined;
}
