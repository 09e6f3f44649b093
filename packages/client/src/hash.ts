/**
 * The consistent hash behind rollouts and `split`: FNV-1a finished with murmur3's fmix32, the same in
 * every process and every release (changing it would move every customer of every running rollout).
 */
/** Split buckets: a percentage with two decimals maps onto 0..9999. */
export const SPLIT_BUCKETS = 10_000;

const FNV_PRIME = 0x01000193;

/** FNV-1a (32-bit) over UTF-16 code units, continuing from `hash`. */
export function fnv1a(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** The hash state after a seed and a separator (`:`), so `ab`+`c` and `a`+`bc` differ. */
export function seedHash(seed: string): number {
  return Math.imul(fnv1a(0x811c9dc5, seed) ^ 0x3a, FNV_PRIME);
}

/** The bucket (0..9999) of a value under a seed: FNV-1a finished with murmur3's fmix32. */
export function bucketOf(seed: number, value: string): number {
  let h = fnv1a(seed, value);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % SPLIT_BUCKETS;
}
