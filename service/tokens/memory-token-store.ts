// An in-memory tokens Secret with the API server's compare-and-swap semantics, for unit tests of
// everything that uses TokenSecretStore (the integration tests use the real control plane).
import type { V1Secret } from "@kubernetes/client-node";
import { copyDraft, parseSecret, renderSecret, type TokenSecretStore, WriteConflict } from "./token-secret-store.ts";

export function createMemoryTokenStore(now: () => number = Date.now): TokenSecretStore & { secret(): V1Secret; writes: number } {
  let secret: V1Secret = { metadata: { name: "acme-zoom-tokens", namespace: "t", resourceVersion: "1" }, type: "Opaque" };
  const state = { writes: 0 };
  const store = {
    get writes() {
      return state.writes;
    },
    secret: () => structuredClone(secret),
    read: async () => parseSecret(structuredClone(secret)),
    async write(base: ReturnType<typeof parseSecret>, draft: Parameters<TokenSecretStore["write"]>[1]) {
      await Promise.resolve(); // NB: a write is asynchronous, as it is against the API server
      if (base.resourceVersion !== secret.metadata?.resourceVersion) throw new WriteConflict();
      const body = renderSecret(base.secret, draft, now());
      state.writes++;
      secret = { ...body, metadata: { ...body.metadata, resourceVersion: String(Number(secret.metadata?.resourceVersion) + 1) } };
      return parseSecret(structuredClone(secret));
    },
    async update<T>(change: Parameters<TokenSecretStore["update"]>[0]) {
      for (;;) {
        const snapshot = await store.read();
        const draft = copyDraft(snapshot);
        const result = change(draft, snapshot) as T;
        try {
          return { result, snapshot: await store.write(snapshot, draft) };
        } catch (error) {
          if (!(error instanceof WriteConflict)) throw error;
        }
      }
    },
  };
  return store;
}
