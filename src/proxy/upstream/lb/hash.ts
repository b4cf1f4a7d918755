// Fast non-cryptographic 32-bit hashing for hash-based load balancing (ring hash, maglev,
// hash_policy); Envoy uses xxHash64, any well-mixed hash gives the same distribution properties.

export function hash32(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3 finalizer: spreads FNV's weak low bits
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Envoy combines several hash policies by rotating and xor-ing. */
export function combineHash(prev: number | undefined, h: number): number {
  if (prev === undefined) return h;
  return (((prev << 1) | (prev >>> 31)) ^ h) >>> 0;
}
