// Cluster load-balancing policy: the legacy lb_policy enum with its *_lb_config, or
// load_balancing_policy typed extensions, both resolved by type URL to one domain model.
import { ConfigError, type Msg } from '../../config/proto.js';
import type { Host } from '../host.js';
import { leastRequest } from './least-request.js';
import { maglev } from './maglev.js';
import { randomLb } from './random.js';
import { ringHash } from './ring-hash.js';
import { roundRobin } from './round-robin.js';
import type { PickerFactory, Random } from './types.js';

export type LbPolicy =
  | { kind: 'round_robin' }
  | { kind: 'least_request'; choiceCount: number }
  | { kind: 'random' }
  | { kind: 'ring_hash'; minRingSize: number; maxRingSize: number }
  | { kind: 'maglev'; tableSize: number }
  /** ORIGINAL_DST clusters: the cluster itself names the host. */
  | { kind: 'cluster_provided' };

const P = 'type.googleapis.com/envoy.extensions.load_balancing_policies.';

/** load_balancing_policy.policies[].typed_extension_config, keyed by type URL. */
const TYPED: Record<string, (c: Msg) => LbPolicy> = {
  [`${P}round_robin.v3.RoundRobin`]: () => ({ kind: 'round_robin' }),
  [`${P}least_request.v3.LeastRequest`]: (c) => ({
    kind: 'least_request',
    choiceCount: c.choice_count?.value ?? 2,
  }),
  [`${P}random.v3.Random`]: () => ({ kind: 'random' }),
  [`${P}ring_hash.v3.RingHash`]: (c) => ({
    kind: 'ring_hash',
    minRingSize: Number(c.minimum_ring_size?.value ?? 1024),
    maxRingSize: Number(c.maximum_ring_size?.value ?? 8388608),
  }),
  [`${P}maglev.v3.Maglev`]: (c) => ({ kind: 'maglev', tableSize: Number(c.table_size?.value ?? 65537) }),
};

export function parseLbPolicy(c: Msg): LbPolicy {
  if (c.load_balancing_policy) {
    const policies: Msg[] = c.load_balancing_policy.policies ?? [];
    for (const p of policies) {
      const cfg = p.typed_extension_config?.typed_config;
      const parse = cfg && TYPED[cfg['@type']];
      if (parse) return parse(cfg);
    }
    throw new ConfigError('load_balancing_policy', 'no supported policy in policies');
  }
  switch (c.lb_policy ?? 'ROUND_ROBIN') {
    case 'ROUND_ROBIN':
      return { kind: 'round_robin' };
    case 'LEAST_REQUEST':
      return { kind: 'least_request', choiceCount: c.least_request_lb_config?.choice_count?.value ?? 2 };
    case 'RANDOM':
      return { kind: 'random' };
    case 'RING_HASH':
      return {
        kind: 'ring_hash',
        minRingSize: Number(c.ring_hash_lb_config?.minimum_ring_size?.value ?? 1024),
        maxRingSize: Number(c.ring_hash_lb_config?.maximum_ring_size?.value ?? 8388608),
      };
    case 'MAGLEV':
      return { kind: 'maglev', tableSize: Number(c.maglev_lb_config?.table_size?.value ?? 65537) };
    case 'CLUSTER_PROVIDED':
      return { kind: 'cluster_provided' };
    default:
      throw new ConfigError('lb_policy', `unsupported lb_policy ${c.lb_policy}`);
  }
}

export function pickerFactory(p: LbPolicy, random: Random): PickerFactory {
  switch (p.kind) {
    case 'least_request':
      return (hosts: readonly Host[]) => leastRequest(hosts, random, p.choiceCount);
    case 'random':
      return (hosts) => randomLb(hosts, random);
    case 'ring_hash':
      return (hosts) => ringHash(hosts, random, p.minRingSize, p.maxRingSize);
    case 'maglev':
      return (hosts) => maglev(hosts, random, p.tableSize);
    default:
      return (hosts) => roundRobin(hosts, random);
  }
}
