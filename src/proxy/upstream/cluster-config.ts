// envoy.config.cluster.v3.Cluster → frozen domain config, parsed once per CDS update.
// Circuit breakers, outlier detection and health checks are parsed by the modules that own them
// (validated here, at CDS time); the raw circuit breakers stay for /clusters.
import { ConfigError, durationMs, type Msg } from '../config/proto.js';
import { parseThresholds, type Thresholds } from './circuit-breaker/thresholds.js';
import { parseHealthChecks, type HealthCheckSettings } from './health-check/config.js';
import { parseOutlierDetection, type OutlierSettings } from './outlier/config.js';
import { Host, type HostSet } from './host.js';
import { parseLbPolicy, type LbPolicy } from './lb/policy.js';
import { parseClusterTransport, type UpstreamTransportConfig } from '../tls/transport-socket.js';

export type DiscoveryType = 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';

export interface ClusterConfig {
  readonly name: string;
  readonly type: DiscoveryType;
  readonly edsServiceName: string;
  readonly connectTimeoutMs: number;
  readonly lb: LbPolicy;
  readonly localityWeighted: boolean;
  /** common_lb_config.healthy_panic_threshold (percent, Envoy default 50; 0 disables panic) */
  readonly panicThreshold: number;
  readonly http2: boolean;
  readonly idleTimeoutMs: number;
  readonly maxRequestsPerConnection: number | undefined;
  readonly dnsRefreshMs: number;
  /** dns_lookup_family: 4, 6, or 0 for both */
  readonly dnsFamily: 0 | 4 | 6;
  readonly loadAssignment: Msg | undefined;
  readonly originalDst: { useHttpHeader: boolean; headerName: string };
  readonly circuitBreakers: Msg | undefined;
  readonly thresholds: Thresholds;
  readonly outlierDetection: OutlierSettings | undefined;
  /** Envoy runs one health checker per cluster: the first of health_checks */
  readonly healthCheck: HealthCheckSettings | undefined;
  /** upstream TLS (transport_socket, transport_socket_matches); undefined = plaintext */
  readonly transport: UpstreamTransportConfig | undefined;
  /** The decoded proto, for /config_dump. */
  readonly raw: Msg;
}

const HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

function parseHttpOptions(c: Msg): { http2: boolean; idle?: number; maxReq?: number } {
  const ext = c.typed_extension_protocol_options?.[HTTP_OPTIONS] as Msg | undefined;
  const common: Msg | undefined = ext?.common_http_protocol_options ?? c.common_http_protocol_options;
  const http2 = ext
    ? Boolean(ext.explicit_http_config?.http2_protocol_options)
    : Boolean(c.http2_protocol_options);
  return {
    http2,
    idle: durationMs(common?.idle_timeout),
    maxReq: common?.max_requests_per_connection?.value ?? c.max_requests_per_connection?.value,
  };
}

export function parseCluster(c: Msg): ClusterConfig {
  if (!c.name) throw new ConfigError('name', 'cluster name is required');
  const type = (c.type ?? 'STATIC') as DiscoveryType;
  if (!['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'].includes(type))
    throw new ConfigError('type', `unsupported discovery type ${type}`);
  if (c.cluster_type) throw new ConfigError('cluster_type', 'custom cluster types are not supported');
  const lb = parseLbPolicy(c);
  if (type === 'ORIGINAL_DST' && lb.kind !== 'cluster_provided' && c.lb_policy)
    throw new ConfigError('lb_policy', 'ORIGINAL_DST clusters require lb_policy CLUSTER_PROVIDED');
  if (type !== 'ORIGINAL_DST' && lb.kind === 'cluster_provided')
    throw new ConfigError('lb_policy', 'CLUSTER_PROVIDED is only valid with ORIGINAL_DST');
  const http = parseHttpOptions(c);
  const od: Msg = c.original_dst_lb_config ?? {};
  return Object.freeze({
    name: c.name as string,
    type,
    edsServiceName: (c.eds_cluster_config?.service_name as string | undefined) || c.name,
    connectTimeoutMs: durationMs(c.connect_timeout) ?? 5000,
    lb,
    localityWeighted: Boolean(c.common_lb_config?.locality_weighted_lb_config),
    panicThreshold: Number(c.common_lb_config?.healthy_panic_threshold?.value ?? 50),
    http2: http.http2,
    idleTimeoutMs: http.idle ?? 3600_000,
    maxRequestsPerConnection: http.maxReq || undefined,
    dnsRefreshMs: durationMs(c.dns_refresh_rate) ?? 5000,
    dnsFamily: c.dns_lookup_family === 'V4_ONLY' ? 4 : c.dns_lookup_family === 'V6_ONLY' ? 6 : 0,
    loadAssignment: c.load_assignment,
    originalDst: {
      useHttpHeader: Boolean(od.use_http_header),
      headerName: (od.http_header_name as string | undefined) || 'x-envoy-original-dst-host',
    },
    circuitBreakers: c.circuit_breakers,
    thresholds: parseThresholds(c.circuit_breakers),
    outlierDetection: c.outlier_detection ? parseOutlierDetection(c.outlier_detection) : undefined,
    healthCheck: parseHealthChecks((c.health_checks ?? []) as Msg[], c.name as string)[0],
    transport: parseClusterTransport(c),
    raw: c,
  });
}

/** ClusterLoadAssignment → host sets by priority. `resolve` maps hostnames for DNS clusters. */
export function hostSetsFromAssignment(
  cla: Msg | undefined,
  resolve: (host: string) => string[] = (h) => [h],
): HostSet[] {
  const sets: HostSet[] = [];
  for (const le of (cla?.endpoints ?? []) as Msg[]) {
    const priority = Number(le.priority ?? 0);
    let set = sets[priority];
    if (!set) sets[priority] = set = { priority, hosts: [], localityWeights: new Map() };
    const locality = { region: '', zone: '', sub_zone: '', ...le.locality };
    const lkey = `${locality.region}/${locality.zone}/${locality.sub_zone}`;
    set.localityWeights.set(lkey, Number(le.load_balancing_weight?.value ?? 0));
    for (const lbe of (le.lb_endpoints ?? []) as Msg[]) {
      const sa = lbe.endpoint?.address?.socket_address;
      if (!sa) continue;
      for (const addr of resolve(sa.address as string))
        set.hosts.push(
          new Host(
            addr,
            Number(sa.port_value ?? 0),
            Number(lbe.load_balancing_weight?.value ?? 1),
            priority,
            locality,
            (lbe.endpoint?.hostname as string | undefined) || sa.address,
            (lbe.health_status as string | undefined) ?? 'HEALTHY',
            lbe.metadata,
          ),
        );
    }
  }
  for (let i = 0; i < sets.length; i++) sets[i] ??= { priority: i, hosts: [], localityWeights: new Map() };
  return sets;
}
