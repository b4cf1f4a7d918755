// MAGLEV: a lookup table (table_size, prime, default 65537) filled by each host's permutation in
// turn, weighted by giving heavier hosts more turns; O(1) lookup by hash % size.
import type { Host } from '../host.js';
import { hash32 } from './hash.js';
import type { HostPicker, Random } from './types.js';

export function maglev(hosts: readonly Host[], random: Random, tableSize = 65537): HostPicker {
  const table: Host[] = new Array<Host>(tableSize);
  const n = hosts.length;
  if (n > 0) {
    const offset = hosts.map((h) => hash32(h.key, 1) % tableSize);
    const skip = hosts.map((h) => (hash32(h.key, 2) % (tableSize - 1)) + 1);
    const next = new Array<number>(n).fill(0);
    const maxW = Math.max(...hosts.map((h) => h.weight));
    const credit = new Array<number>(n).fill(0);
    let filled = 0;
    while (filled < tableSize) {
      for (let i = 0; i < n && filled < tableSize; i++) {
        credit[i]! += hosts[i]!.weight / maxW;
        if (credit[i]! < 1) continue;
        credit[i]! -= 1;
        let c: number;
        do {
          c = (offset[i]! + next[i]! * skip[i]!) % tableSize;
          next[i]!++;
        } while (table[c] !== undefined);
        table[c] = hosts[i]!;
        filled++;
      }
    }
  }
  return {
    pick(ctx) {
      if (n === 0) return undefined;
      if (ctx.hashKey === undefined) return hosts[Math.floor(random.next() * n)];
      return table[ctx.hashKey % tableSize];
    },
  };
}
