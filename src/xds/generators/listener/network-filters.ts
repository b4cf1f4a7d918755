// The network filters Istio puts on listener filter chains: http_connection_manager (RDS or inline
// routes; HTTP filters: metadata exchange → security (ext_authz, jwt_authn, RBAC) → fault → cors
// → stats → router; file access log) and istio.stats + tcp_proxy (one or weighted clusters).
import type { PushContext } from '../../push-context.js';
import { ADS_CONFIG_SOURCE, Filters, typed, Types } from '../common.js';
import { metadataExchangeFilter, statsFilter, type ListenerClass } from './telemetry.js';

export interface HcmOptions {
  statPrefix: string;
  /** RDS route configuration name, or an inline route configuration. */
  rds?: string;
  routeConfig?: object;
  /** Authentication and authorization filters for the workload (inbound and gateway HCMs). */
  security?: readonly object[];
  /** Proxyless gRPC understands fault and router only. */
  proxyless?: boolean;
  /** Gateways are the edge: they trust the peer address, not x-forwarded-for (Istio sets this). */
  edge?: boolean;
  /** A sidecar's inbound HCM: the app learns its mTLS peer from x-forwarded-client-cert. */
  inbound?: boolean;
}

// Istio's client-certificate details: sidecar inbound appends the peer to XFCC; gateways
// sanitize and set it (gatewayTopology.forwardClientCertDetails overrides); outbound strips it.
const XFCC_DETAILS = { subject: { value: true }, dns: true, uri: true };
function xfcc(push: PushContext, o: HcmOptions): object {
  const gw = push.mesh.gatewayForwardClientCertDetails;
  const mode = o.edge ? (gw !== 'UNDEFINED' ? gw : 'SANITIZE_SET') : o.inbound ? 'APPEND_FORWARD' : undefined;
  return mode ? { forward_client_cert_details: mode, set_current_client_cert_details: XFCC_DETAILS } : {};
}

/**
 * Fault and CORS are always present so routes can configure them per route (Istio does the same);
 * the telemetry filters wrap the chain on sidecar and gateway listeners (not proxyless gRPC).
 */
export function httpFilters(
  security: readonly object[] = [],
  proxyless = false,
  cls?: ListenerClass,
): object[] {
  return [
    ...(cls ? [metadataExchangeFilter(cls)] : []),
    ...security,
    { name: Filters.fault, typed_config: typed(Types.fault) },
    ...(proxyless ? [] : [{ name: Filters.cors, typed_config: typed(Types.cors) }]),
    ...(cls ? [statsFilter(cls)] : []),
    { name: Filters.router, typed_config: typed(Types.router) },
  ];
}

/** envoy.access_loggers.file when meshConfig.accessLogFile is set; Envoy's default format unless one is given. */
export function accessLogs(push: PushContext): object[] {
  const { accessLogFile: path, accessLogFormat: format } = push.mesh;
  if (!path) return [];
  return [
    {
      name: Filters.fileAccessLog,
      typed_config: typed(Types.fileAccessLog, {
        path,
        ...(format ? { log_format: { text_format_source: { inline_string: format } } } : {}),
      }),
    },
  ];
}

function listenerClass(o: HcmOptions): ListenerClass {
  return o.inbound ? 'sidecar-inbound' : o.edge ? 'gateway' : 'sidecar-outbound';
}

/** The HttpConnectionManager config itself (also used inside a proxyless api_listener). */
export function hcmConfig(push: PushContext, o: HcmOptions): Record<string, unknown> {
  const routes =
    o.rds !== undefined
      ? { rds: { config_source: ADS_CONFIG_SOURCE, route_config_name: o.rds } }
      : { route_config: o.routeConfig };
  if (o.proxyless) return typed(Types.hcm, { ...routes, http_filters: httpFilters([], true) });
  return typed(Types.hcm, {
    stat_prefix: o.statPrefix,
    ...routes,
    http_filters: httpFilters(o.security, false, listenerClass(o)),
    access_log: accessLogs(push),
    use_remote_address: { value: o.edge === true },
    normalize_path: { value: true },
    // Istio leaves a trailing host dot alone, so `a.com.` escapes a DENY on hosts `a.com`; Weft
    // strips it (Envoy's option) so policies and routes see one spelling of a host.
    strip_trailing_host_dot: true,
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    stream_idle_timeout: { seconds: 0, nanos: 0 },
    server_name: 'istio-envoy',
    ...xfcc(push, o),
  });
}

export function httpConnectionManager(push: PushContext, o: HcmOptions): object {
  return { name: Filters.hcm, typed_config: hcmConfig(push, o) };
}

export interface WeightedCluster {
  name: string;
  weight: number;
}

/** istio.stats then tcp_proxy: what ends every TCP filter chain of a sidecar or gateway. */
export function tcpFilters(
  push: PushContext,
  statPrefix: string,
  target: string | WeightedCluster[],
  cls: ListenerClass,
): object[] {
  return [statsFilter(cls), tcpProxy(push, statPrefix, target)];
}

/** tcp_proxy to one cluster, or weighted clusters for a split TCP route. */
function tcpProxy(push: PushContext, statPrefix: string, target: string | WeightedCluster[]): object {
  const dest =
    typeof target === 'string' || target.length === 1
      ? { cluster: typeof target === 'string' ? target : target[0]!.name }
      : { weighted_clusters: { clusters: target.map((c) => ({ name: c.name, weight: c.weight })) } };
  return {
    name: Filters.tcpProxy,
    typed_config: typed(Types.tcpProxy, { stat_prefix: statPrefix, ...dest, access_log: accessLogs(push) }),
  };
}

export function listenerFilter(name: 'originalDst' | 'tlsInspector' | 'httpInspector'): object {
  return { name: Filters[name], typed_config: typed(Types[name]) };
}

export const notBound = { bind_to_port: { value: false } };
