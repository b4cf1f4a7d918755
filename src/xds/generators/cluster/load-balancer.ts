// DestinationRule loadBalancer → Cluster lb_policy (ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH,
// MAGLEV) and the route hash_policy a consistentHash needs (Istio applyLoadBalancer / consistentHashToHashPolicy).
import { parseDuration } from '../../proto/duration.js';
import type { LoadBalancerSettings } from '../../../registry/specs.js';

export interface LbFields {
  lb_policy?: string;
  ring_hash_lb_config?: { minimum_ring_size: { value: number } };
  maglev_lb_config?: { table_size: { value: number } };
  /** PASSTHROUGH turns the cluster into ORIGINAL_DST. */
  originalDst?: boolean;
}

export function loadBalancerFields(lb: LoadBalancerSettings | undefined): LbFields {
  const ch = lb?.consistentHash;
  if (ch) {
    if (ch.maglev)
      return {
        lb_policy: 'MAGLEV',
        ...(ch.maglev.tableSize ? { maglev_lb_config: { table_size: { value: ch.maglev.tableSize } } } : {}),
      };
    const min = ch.ringHash?.minimumRingSize ?? ch.minimumRingSize ?? 1024;
    return { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: min } } };
  }
  switch (lb?.simple) {
    case 'LEAST_CONN':
    case 'LEAST_REQUEST':
      return { lb_policy: 'LEAST_REQUEST' };
    case 'RANDOM':
      return { lb_policy: 'RANDOM' };
    case 'PASSTHROUGH':
      return { lb_policy: 'CLUSTER_PROVIDED', originalDst: true };
    default:
      return { lb_policy: 'ROUND_ROBIN' };
  }
}

/** RouteAction.hash_policy for a consistentHash load balancer, if any. */
export function hashPolicy(lb: LoadBalancerSettings | undefined): object[] | undefined {
  const ch = lb?.consistentHash;
  if (!ch) return undefined;
  if (ch.httpHeaderName) return [{ header: { header_name: ch.httpHeaderName } }];
  if (ch.httpCookie)
    return [
      {
        cookie: {
          name: ch.httpCookie.name,
          ...(ch.httpCookie.path ? { path: ch.httpCookie.path } : {}),
          ...(ch.httpCookie.ttl ? { ttl: parseDuration(ch.httpCookie.ttl) } : {}),
        },
      },
    ];
  if (ch.useSourceIp) return [{ connection_properties: { source_ip: true } }];
  if (ch.httpQueryParameterName) return [{ query_parameter: { name: ch.httpQueryParameterName } }];
  return undefined;
}
