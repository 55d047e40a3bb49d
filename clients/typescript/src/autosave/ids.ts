/**
 * Random ids for new goals' clientIds and for tabs. `crypto.randomUUID` exists only in secure
 * contexts (https, localhost): a page served over plain HTTP to another host falls back to
 * `crypto.getRandomValues`, which every browser and Node >= 20 has.
 */
export function randomHex(length: number): string {
  const crypto = globalThis.crypto as Partial<Crypto> & Pick<Crypto, "getRandomValues">;
  if (typeof crypto.randomUUID === "function") {
    return crypto.randomUUID().replaceAll("-", "").slice(0, length);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, length);
}
