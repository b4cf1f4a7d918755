// Names and small proto builders every generator shares: Istio's cluster names, typed Any
// configs, the ADS config source and Envoy fractional percents.

export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughClusterIpv4';
export const VIRTUAL_OUTBOUND = 'virtualOutbound';
export const VIRTUAL_INBOUND = 'virtualInbound';
export const OUTBOUND_CAPTURE_PORT = 15001;
export const INBOUND_CAPTURE_PORT = 15006;

/** Standard Envoy filter names (DESIGN.md §2.2). */
export const Filters = {
  hcm: 'envoy.filters.network.http_connection_manager',
  tcpProxy: 'envoy.filters.network.tcp_proxy',
  router: 'envoy.filters.http.router',
  fault: 'envoy.filters.http.fault',
  cors: 'envoy.filters.http.cors',
  originalDst: 'envoy.filters.listener.original_dst',
  tlsInspector: 'envoy.filters.listener.tls_inspector',
  httpInspector: 'envoy.filters.listener.http_inspector',
  tls: 'envoy.transport_sockets.tls',
  fileAccessLog: 'envoy.access_loggers.file',
  istioStats: 'istio.stats',
  istioMetadataExchange: 'istio.metadata_exchange',
} as const;

/** Fully qualified proto names of the typed configs generators emit. */
export const Types = {
  hcm: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcpProxy: 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  router: 'envoy.extensions.filters.http.router.v3.Router',
  fault: 'envoy.extensions.filters.http.fault.v3.HTTPFault',
  cors: 'envoy.extensions.filters.http.cors.v3.Cors',
  corsPolicy: 'envoy.extensions.filters.http.cors.v3.CorsPolicy',
  originalDst: 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  tlsInspector: 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  httpInspector: 'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector',
  upstreamTls: 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  downstreamTls: 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  fileAccessLog: 'envoy.extensions.access_loggers.file.v3.FileAccessLog',
  previousHosts: 'envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
  previousPriorities: 'envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig',
} as const;

export type Direction = 'inbound' | 'outbound';

/** `outbound|9080|v1|reviews.default.svc.cluster.local` */
export function clusterName(direction: Direction, port: number, subset: string, host: string): string {
  return `${direction}|${port}|${subset}|${host}`;
}

export interface ClusterKey {
  direction: Direction;
  port: number;
  subset: string;
  host: string;
}

/**
 * `outbound_.9080_.v1_.reviews.default.svc.cluster.local`: the SNI Istio clients send over mesh
 * mTLS, and the name of an AUTO_PASSTHROUGH gateway's cluster for it (Istio BuildDNSSrvSubsetKey).
 */
export function sniClusterName(port: number, subset: string, host: string): string {
  return `outbound_.${port}_.${subset}_.${host}`;
}

const SNI_NAME = /^outbound_\.(\d+)_\.([^_]*)_\.(.+)$/;

/** Both forms: `outbound|<port>|<subset>|<host>` and the SNI form. */
export function parseClusterName(name: string): ClusterKey | undefined {
  const sni = SNI_NAME.exec(name);
  if (sni) return { direction: 'outbound', port: Number(sni[1]), subset: sni[2]!, host: sni[3]! };
  const parts = name.split('|');
  if (parts.length !== 4) return undefined;
  const [direction, port, subset, host] = parts as [string, string, string, string];
  if (direction !== 'inbound' && direction !== 'outbound') return undefined;
  return { direction, port: Number(port), subset, host };
}

/** A nested google.protobuf.Any in the JSON shape protobufjs fromObject understands. */
export function typed(fullName: string, value: object = {}): Record<string, unknown> {
  return { '@type': `type.googleapis.com/${fullName}`, ...value };
}

/** Fetch over the same ADS stream (config_source.ads). */
export const ADS_CONFIG_SOURCE = { ads: {}, resource_api_version: 'V3' } as const;

/** Istio percentages (0–100, fractional) as an Envoy FractionalPercent per million. */
export function fractionalPercent(percent: number): { numerator: number; denominator: string } {
  return { numerator: Math.round(percent * 10000), denominator: 'MILLION' };
}

/** Envoy's UInt32Value / BoolValue wrappers. */
export const u32 = (value: number): { value: number } => ({ value });
export const bool = (value: boolean): { value: boolean } => ({ value });

type StructValue =
  | { stringValue: string }
  | { numberValue: number }
  | { boolValue: boolean }
  | { nullValue: 'NULL_VALUE' }
  | { listValue: { values: StructValue[] } }
  | { structValue: { fields: Record<string, StructValue> } };

function jsonValue(v: unknown): StructValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(jsonValue) } };
  if (v && typeof v === 'object') return { structValue: jsonStruct(v as Record<string, unknown>) };
  return { nullValue: 'NULL_VALUE' };
}

/** Plain JSON (nested) as google.protobuf.Struct, in the shape protobufjs fromObject takes. */
export function jsonStruct(o: Record<string, unknown>): { fields: Record<string, StructValue> } {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, jsonValue(v)])) };
}

/**
 * A config whose proto Envoy's API does not ship (Istio's own filters), as a TypedStruct: the
 * inner type URL and its fields as a Struct. Envoy and Weft's proxy unwrap it by type_url.
 */
export function typedStruct(typeUrl: string, value: Record<string, unknown>): Record<string, unknown> {
  return typed('udpa.type.v1.TypedStruct', { type_url: typeUrl, value: jsonStruct(value) });
}

/**
 * A flat string map as google.protobuf.Struct. protobufjs has no JSON wrapper for Struct, and its
 * built-in struct.proto names Value's fields in camelCase even with keepCase.
 */
export function struct(values: Record<string, string>): { fields: Record<string, { stringValue: string }> } {
  return { fields: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { stringValue: v }])) };
}
