// Outbound clusters (Istio buildOutboundClusters): `outbound|<port>|<subset>|<host>` for every visible
// service port and DestinationRule subset, with discovery type from the service's resolution.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { parseDuration } from '../../proto/duration.js';
import {
  isHttp2Protocol,
  isHttpProtocol,
  labelsMatch,
  type Service,
  type ServicePort,
} from '../../../registry/model.js';
import { ADS_CONFIG_SOURCE, clusterName, sniClusterName, typed, Types } from '../common.js';

function nameOf(port: number, subset: string | undefined, host: string, opts: ClusterOptions): string {
  return opts.sniDnat
    ? sniClusterName(port, subset ?? '', host)
    : clusterName('outbound', port, subset ?? '', host);
}
import { effectivePolicy } from './policy.js';
import { loadBalancerFields } from './load-balancer.js';
import { connectionPoolFields, outlierDetectionFields } from './connection-pool.js';
import { autoMtlsMatches, upstreamTransportSocket } from './tls.js';

export interface ClusterOptions {
  /** Proxyless gRPC: EDS only, no Envoy-only transport sockets or protocol options. */
  proxyless?: boolean;
  /**
   * AUTO_PASSTHROUGH gateways: named by SNI (`outbound_.<port>_.<subset>_.<host>`), without a
   * transport socket — the client's mTLS passes through to the destination's sidecar.
   */
  sniDnat?: boolean;
}

/** Every outbound cluster the proxy may use (SNI-DNAT ones: mesh-internal services only). */
export function outboundClusters(proxy: ProxyInfo, push: PushContext, opts: ClusterOptions = {}): object[] {
  const out: object[] = [];
  for (const service of push.servicesFor(proxy)) {
    if (opts.sniDnat && service.meshExternal) continue;
    const rule = push.destinationRule(proxy, service.hostname)?.spec;
    for (const port of service.ports) {
      if (port.protocol === 'UDP') continue;
      out.push(outboundCluster(proxy, push, service, port, undefined, opts));
      for (const subset of rule?.subsets ?? [])
        out.push(outboundCluster(proxy, push, service, port, subset.name, opts));
    }
  }
  return out;
}

/** One outbound cluster; `subset` undefined for the service-wide cluster. */
export function outboundCluster(
  proxy: ProxyInfo,
  push: PushContext,
  service: Service,
  port: ServicePort,
  subset: string | undefined,
  opts: ClusterOptions = {},
): Record<string, unknown> {
  const name = nameOf(port.port, subset, service.hostname, opts);
  const rule = push.destinationRule(proxy, service.hostname)?.spec;
  const policy = effectivePolicy(rule, port.port, subset);
  const lb = loadBalancerFields(policy.loadBalancer);
  const pool = connectionPoolFields(policy.connectionPool);
  const outlier = outlierDetectionFields(policy.outlierDetection);
  const cluster: Record<string, unknown> = {
    name,
    connect_timeout: pool.connect_timeout ?? parseDuration(push.mesh.connectTimeout),
    ...discovery(
      push,
      service,
      port,
      subset,
      rule?.subsets?.find((s) => s.name === subset)?.labels,
      lb.originalDst === true,
      opts,
    ),
    circuit_breakers: pool.circuit_breakers,
    ...(pool.upstream_connection_options
      ? { upstream_connection_options: pool.upstream_connection_options }
      : {}),
    ...(outlier.outlier_detection ? { outlier_detection: outlier.outlier_detection } : {}),
  };
  if (!lb.originalDst && service.resolution !== 'Passthrough') {
    cluster.lb_policy = lb.lb_policy;
    if (lb.ring_hash_lb_config) cluster.ring_hash_lb_config = lb.ring_hash_lb_config;
    if (lb.maglev_lb_config) cluster.maglev_lb_config = lb.maglev_lb_config;
  }
  const locality = policy.loadBalancer?.localityLbSetting ?? push.mesh.localityLbSetting;
  const commonLb: Record<string, unknown> = {};
  if (outlier.healthy_panic_threshold) commonLb.healthy_panic_threshold = outlier.healthy_panic_threshold;
  if (locality?.distribute?.length && locality.enabled !== false) commonLb.locality_weighted_lb_config = {};
  if (Object.keys(commonLb).length > 0) cluster.common_lb_config = commonLb;
  const http2 = isHttp2Protocol(port.protocol) || pool.upgradeToH2;
  if (isHttpProtocol(port.protocol) && !opts.proxyless)
    cluster.typed_extension_protocol_options = {
      [Types.httpProtocolOptions]: typed(Types.httpProtocolOptions, {
        ...(pool.commonHttp ? { common_http_protocol_options: pool.commonHttp } : {}),
        explicit_http_config: http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
      }),
    };
  if (!opts.proxyless && !opts.sniDnat)
    Object.assign(cluster, transport(push, service, port, subset, policy.tls, http2));
  return cluster;
}

function discovery(
  push: PushContext,
  service: Service,
  port: ServicePort,
  subset: string | undefined,
  subsetLabels: Record<string, string> | undefined,
  originalDst: boolean,
  opts: ClusterOptions,
): Record<string, unknown> {
  const name = nameOf(port.port, subset, service.hostname, opts);
  const eds = { type: 'EDS', eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE, service_name: name } };
  if (opts.proxyless) return eds;
  if (originalDst || service.resolution === 'Passthrough')
    return { type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' };
  if (service.resolution === 'ClientSideLB') return eds;
  const endpoints = push
    .endpoints(service.hostname, port.port)
    .filter((e) => labelsMatch(subsetLabels, e.labels));
  return {
    type: service.resolution === 'DNS' ? 'STRICT_DNS' : 'LOGICAL_DNS',
    dns_lookup_family: 'V4_ONLY',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: endpoints.map((e) => ({
            endpoint: { address: { socket_address: { address: e.address, port_value: e.port } } },
            ...(e.weight ? { load_balancing_weight: { value: e.weight } } : {}),
          })),
        },
      ],
    },
  };
}

function transport(
  push: PushContext,
  service: Service,
  port: ServicePort,
  subset: string | undefined,
  tls: Parameters<typeof upstreamTransportSocket>[0]['tls'],
  http2: boolean,
): Record<string, unknown> {
  const sni = sniClusterName(port.port, subset ?? '', service.hostname);
  const accounts = service.serviceAccounts;
  if (tls) {
    const socket = upstreamTransportSocket({ tls, serviceAccounts: accounts, defaultSni: sni, http2 });
    return socket ? { transport_socket: socket } : {};
  }
  if (push.mesh.enableAutoMtls && !service.meshExternal && service.resolution !== 'Passthrough')
    return { transport_socket_matches: autoMtlsMatches(accounts, sni, http2) };
  return {};
}
