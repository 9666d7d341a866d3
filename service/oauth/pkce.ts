// PKCE (RFC 7636) with S256. NB: Zoom defaults to `plain` when the method is omitted, which would
// put the verifier itself in the browser's URL: always send S256.
import { createHash, randomBytes } from "node:crypto";

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: "S256";
}

/** 32 random bytes -> a 43-character verifier (the RFC's minimum length, maximum entropy per char). */
export function createPkce(random: (n: number) => Buffer = randomBytes): Pkce {
  const verifier = random(32).toString("base64url");
  return { verifier, challenge: challengeOf(verifier), method: "S256" };
}

export function challengeOf(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}
