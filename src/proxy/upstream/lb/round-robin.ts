// ROUND_ROBIN, weighted: smooth weighted round robin (equal weights degrade to plain rotation).
import type { Host } from '../host.js';
import type { HostPicker, Random } from './types.js';

export function roundRobin(hosts: readonly Host[], random: Random): HostPicker {
  const n = hosts.length;
  // Envoy starts each worker at a random offset so workers do not move in lockstep.
  let next = Math.floor(random.next() * n);
  if (hosts.every((h) => h.weight === hosts[0]?.weight)) {
    return { pick: () => (n === 0 ? undefined : hosts[next++ % n]) };
  }
  const current = new Array<number>(n).fill(0);
  const total = hosts.reduce((a, h) => a + h.weight, 0);
  return {
    pick() {
      let best = -1;
      for (let i = 0; i < n; i++) {
        current[i]! += hosts[i]!.weight;
        if (best < 0 || current[i]! > current[best]!) best = i;
      }
      if (best < 0) return undefined;
      current[best]! -= total;
      return hosts[best];
    },
  };
}
