// ClusterLoadAssignment for an outbound cluster (Istio EndpointBuilder): the service port's endpoints
// filtered by subset labels, grouped by locality with priorities, weights and health status.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { labelsMatch, TLS_MODE_LABEL, type Endpoint } from '../../../registry/model.js';
import { clusterName, parseClusterName, struct, u32 } from '../common.js';
import { effectivePolicy } from '../cluster/policy.js';
import { TRANSPORT_SOCKET_MATCH_KEY } from '../cluster/tls.js';
import { distributeWeights, failoverPriority } from './locality.js';

/** Undefined for names that are not outbound clusters of a known service port. */
export function loadAssignment(proxy: ProxyInfo, push: PushContext, cluster: string): object | undefined {
  const key = parseClusterName(cluster);
  if (!key || key.direction !== 'outbound') return undefined;
  const service = push.service(key.host);
  if (!service?.ports.some((p) => p.port === key.port)) return undefined;
  const rule = push.destinationRule(proxy, key.host)?.spec;
  const subsetLabels = key.subset ? rule?.subsets?.find((s) => s.name === key.subset)?.labels : undefined;
  if (key.subset && !rule?.subsets?.some((s) => s.name === key.subset)) return undefined;
  // SNI-DNAT clusters (AUTO_PASSTHROUGH) pass mTLS through, so only endpoints with a sidecar can answer.
  const mtlsOnly = cluster !== clusterName('outbound', key.port, key.subset, key.host);
  const endpoints = push
    .endpoints(key.host, key.port)
    .filter(
      (e) => labelsMatch(subsetLabels, e.labels) && (!mtlsOnly || e.labels[TLS_MODE_LABEL] === 'istio'),
    );
  const policy = effectivePolicy(rule, key.port, key.subset || undefined);
  const setting = policy.loadBalancer?.localityLbSetting ?? push.mesh.localityLbSetting;
  const enabled = setting?.enabled !== false && proxy.locality !== undefined;
  const byLocality = new Map<string, Endpoint[]>();
  for (const e of endpoints)
    byLocality.set(e.locality ?? '', [...(byLocality.get(e.locality ?? '') ?? []), e]);
  const distribute = enabled
    ? distributeWeights(proxy.locality!, [...byLocality.keys()], setting)
    : undefined;
  // Istio turns on failover priorities only with outlier detection, which moves traffic away.
  const failover = enabled && !distribute && policy.outlierDetection !== undefined;
  const groups = [...byLocality].flatMap(([locality, eps]) => {
    const weight = distribute
      ? Math.round(distribute.get(locality) ?? 0)
      : eps.reduce((n, e) => n + (e.weight ?? 1), 0);
    if (distribute && weight === 0) return [];
    const [region, zone, sub_zone] = locality.split('/');
    return [
      {
        // Always present (Istio sets it even when empty): gRPC xDS clients NACK a group without it.
        locality: { region: region ?? '', zone: zone ?? '', sub_zone: sub_zone ?? '' },
        lb_endpoints: eps.map(lbEndpoint),
        load_balancing_weight: u32(weight),
        ...(failover ? { priority: failoverPriority(proxy.locality!, locality, setting) } : {}),
      },
    ];
  });
  return { cluster_name: cluster, endpoints: groups };
}

function lbEndpoint(e: Endpoint): object {
  return {
    endpoint: { address: { socket_address: { address: e.address, port_value: e.port } } },
    health_status: e.health,
    load_balancing_weight: u32(e.weight ?? 1),
    ...(e.labels[TLS_MODE_LABEL] === 'istio'
      ? { metadata: { filter_metadata: { [TRANSPORT_SOCKET_MATCH_KEY]: struct({ tlsMode: 'istio' }) } } }
      : {}),
  };
}
