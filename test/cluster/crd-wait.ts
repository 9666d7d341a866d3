/** What a kubectl run answered. */
export interface KubectlResult {
  readonly code: number;
  readonly stderr: string;
}

/**
 * `kubectl wait --for=condition=Established` on `targets` (`-f file` or `crd/name` arguments), run
 * through `kubectl`. NB: kubectl wait fails at once ("accessor error: <nil>") on a CRD whose status
 * has no conditions yet (on a busy machine the apiextensions controller may not have seen it):
 * asked again every 0.5 s, 20 times at most.
 */
export async function waitEstablished(
  kubectl: (args: string[]) => Promise<KubectlResult>,
  targets: readonly string[],
): Promise<KubectlResult> {
  const args = ["wait", "--for=condition=Established", "--timeout=60s", ...targets];
  let result = await kubectl(args);
  for (let attempt = 1; result.code !== 0 && result.stderr.includes("accessor error") && attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    result = await kubectl(args);
  }
  return result;
}
