// RING_HASH (Ketama-style consistent hashing): each host gets ring entries in proportion to its
// weight, scaled between minimum_ring_size (1024) and maximum_ring_size; lookup is a binary
// search for the first entry at or after the request hash. No hash key → random host.
import type { Host } from '../host.js';
import { hash32 } from './hash.js';
import type { HostPicker, Random } from './types.js';

export function ringHash(
  hosts: readonly Host[],
  random: Random,
  minSize = 1024,
  maxSize = 8388608,
): HostPicker {
  const total = hosts.reduce((a, h) => a + h.weight, 0);
  const entries: { hash: number; host: Host }[] = [];
  if (total > 0) {
    const minNorm = Math.min(...hosts.map((h) => h.weight / total));
    const scale = Math.min(Math.ceil(minNorm * minSize) / minNorm, maxSize);
    let current = 0;
    let target = 0;
    for (const h of hosts) {
      target += scale * (h.weight / total);
      for (let i = 0; current < target; i++, current++)
        entries.push({ hash: hash32(`${h.key}_${i}`), host: h });
    }
  }
  entries.sort((a, b) => a.hash - b.hash);
  const hashes = Uint32Array.from(entries.map((e) => e.hash));
  return {
    pick(ctx) {
      if (entries.length === 0) return undefined;
      if (ctx.hashKey === undefined) return hosts[Math.floor(random.next() * hosts.length)];
      let lo = 0;
      let hi = hashes.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (hashes[mid]! < ctx.hashKey) lo = mid + 1;
        else hi = mid;
      }
      return entries[lo === hashes.length ? 0 : lo]!.host;
    },
  };
}
