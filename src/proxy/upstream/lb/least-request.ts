// LEAST_REQUEST: power of N random choices (choice_count, default 2), fewest active requests
// wins; with unequal weights Envoy weighs by weight / (active + 1), which is done here too.
import type { Host } from '../host.js';
import type { HostPicker, Random } from './types.js';

export function leastRequest(hosts: readonly Host[], random: Random, choiceCount = 2): HostPicker {
  const n = hosts.length;
  const weighted = !hosts.every((h) => h.weight === hosts[0]?.weight);
  return {
    pick() {
      if (n === 0) return undefined;
      let best: Host | undefined;
      let bestScore = Infinity;
      for (let i = 0; i < choiceCount; i++) {
        const h = hosts[Math.floor(random.next() * n)]!;
        const score = weighted ? (h.activeRequests + 1) / h.weight : h.activeRequests;
        if (score < bestScore) {
          best = h;
          bestScore = score;
        }
      }
      return best;
    },
  };
}
