// DestinationRule traffic policy (istio.networking.v1alpha3.TrafficPolicy): load balancing,
// connection pools, outlier detection, TLS, per-port settings, tunnel, PROXY protocol, retry budget.
import {
  arr,
  bool,
  duration,
  enumOf,
  int,
  int64,
  map,
  num,
  obj,
  str,
  uint32,
  type Infer,
  type Path,
  type Sink,
} from '../schema/dsl.js';

import { checkLocalityLb, checkZoneAwareLb } from './locality.js';
import { PortSelector } from './messages.js';
import { checkNonNegative, checkPercent, checkPortNumber, msDuration } from './rules.js';
import { fqdnError, ipError } from '../common.js';
import { ClientTLSSettings } from './tls.js';

const MAGLEV_MAX_TABLE = 5000011;

/** Envoy's primality test for Maglev table sizes. */
function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  for (let f = 3; f * f <= x; f += 2) if (x % f === 0) return false;
  return true;
}

const HTTPCookie = obj(
  {
    name: str(),
    path: str(),
    ttl: duration(),
    attributes: arr(obj({ name: str(), value: str() }, { required: ['name'] })),
  },
  { required: ['name'] },
);

export const ConsistentHashLB = obj(
  {
    httpHeaderName: str(),
    httpCookie: HTTPCookie,
    useSourceIp: bool(),
    httpQueryParameterName: str(),
    ringHash: obj({ minimumRingSize: int64({ min: 0 }) }),
    maglev: obj({ tableSize: int64({ min: 0 }) }),
    minimumRingSize: int64({ min: 0 }),
  },
  {
    oneOf: [
      ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'],
      ['ringHash', 'maglev'],
    ],
  },
).refine((c, path, sink) => {
  const names = new Set<string>();
  (c.httpCookie?.attributes ?? []).forEach((a, i) => {
    const p = [...path, 'httpCookie', 'attributes', i, 'name'];
    if (!a.name) sink.error(p, 'cookie attribute name cannot be empty');
    else if (names.has(a.name)) sink.error(p, `duplicate cookie attribute name: ${a.name}`);
    else names.add(a.name);
  });
  if (c.httpCookie && !c.httpCookie.name)
    sink.error([...path, 'httpCookie', 'name'], 'name required for HttpCookie');
  if (c.minimumRingSize) {
    sink.warn(
      [...path, 'minimumRingSize'],
      "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead",
    );
    if (c.ringHash || c.maglev)
      sink.error(path, 'only one of MinimumRingSize or Maglev/Ringhash can be specified');
  }
  if (c.maglev) {
    const size = c.maglev.tableSize ?? 0;
    const p = [...path, 'maglev', 'tableSize'];
    if (size === 0) sink.error(p, 'tableSize must be set for maglev');
    if (size >= MAGLEV_MAX_TABLE) sink.error(p, `tableSize must be less than ${MAGLEV_MAX_TABLE} for maglev`);
    if (!isPrime(size)) sink.error(p, 'tableSize must be a prime number for maglev');
  }
});
export type ConsistentHashLB = Infer<typeof ConsistentHashLB>;

const LocalityFailover = obj({ from: str(), to: str() });

export const LocalityLoadBalancerSetting = obj({
  distribute: arr(obj({ from: str(), to: map(uint32()) })),
  failover: arr(LocalityFailover),
  failoverPriority: arr(str()),
  enabled: bool(),
});
export type LocalityLoadBalancerSetting = Infer<typeof LocalityLoadBalancerSetting>;

export const ZoneAwareLoadBalancerSetting = obj({
  enabled: bool(),
  failover: arr(LocalityFailover),
  failoverPriority: arr(str()),
  minClusterSize: int64({ min: 1 }),
});
export type ZoneAwareLoadBalancerSetting = Infer<typeof ZoneAwareLoadBalancerSetting>;

export const WarmupConfiguration = obj(
  {
    duration: msDuration(),
    minimumPercent: num({ min: 0, max: 100 }),
    aggression: num({ min: 0 }),
  },
  { required: ['duration'] },
).refine((w, path, sink) => {
  if (w.aggression !== undefined && w.aggression <= 0)
    sink.error([...path, 'aggression'], 'Invalid value: aggression should be greater than 0');
});

export const SIMPLE_LB = [
  'UNSPECIFIED',
  'LEAST_CONN',
  'RANDOM',
  'PASSTHROUGH',
  'ROUND_ROBIN',
  'LEAST_REQUEST',
] as const;

export const LoadBalancerSettings = obj(
  {
    simple: enumOf(SIMPLE_LB),
    consistentHash: ConsistentHashLB,
    localityLbSetting: LocalityLoadBalancerSetting,
    zoneAwareLbSetting: ZoneAwareLoadBalancerSetting,
    warmupDurationSecs: msDuration(),
    warmup: WarmupConfiguration,
  },
  {
    oneOf: [
      ['simple', 'consistentHash'],
      ['warmupDurationSecs', 'warmup'],
      ['localityLbSetting', 'zoneAwareLbSetting'],
    ],
  },
);
export type LoadBalancerSettings = Infer<typeof LoadBalancerSettings>;

const TCPSettings = obj({
  maxConnections: int(),
  connectTimeout: msDuration(),
  tcpKeepalive: obj({ probes: uint32(), time: msDuration(), interval: msDuration() }),
  maxConnectionDuration: msDuration(),
  // "0s" turns the idle timeout off, so it is the one duration allowed below 1ms.
  idleTimeout: duration().refine((d, path, sink) => {
    if (!/^0+(\.0+)?[a-zµ]+$/.test(d)) msDuration().check(d, path, sink);
  }),
}).refine((t, path, sink) =>
  checkNonNegative(t.maxConnections, 'max connections', [...path, 'maxConnections'], sink),
);

const HTTPSettings = obj({
  http1MaxPendingRequests: int(),
  http2MaxRequests: int(),
  maxRequestsPerConnection: int(),
  maxRetries: int(),
  idleTimeout: msDuration(),
  h2UpgradePolicy: enumOf(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']),
  useClientProtocol: bool(),
  maxConcurrentStreams: int(),
  http2KeepAlive: obj({ interval: msDuration(), timeout: msDuration() }).refine((k, path, sink) => {
    if (k.interval === undefined) sink.error([...path, 'interval'], 'http2 keepalive interval is required');
    if (k.timeout === undefined) sink.error([...path, 'timeout'], 'http2 keepalive timeout is required');
  }),
}).refine((h, path, sink) => {
  checkNonNegative(
    h.http1MaxPendingRequests,
    'http1 max pending requests',
    [...path, 'http1MaxPendingRequests'],
    sink,
  );
  checkNonNegative(h.http2MaxRequests, 'http2 max requests', [...path, 'http2MaxRequests'], sink);
  checkNonNegative(
    h.maxRequestsPerConnection,
    'max requests per connection',
    [...path, 'maxRequestsPerConnection'],
    sink,
  );
  checkNonNegative(h.maxRetries, 'max retries', [...path, 'maxRetries'], sink);
  checkNonNegative(h.maxConcurrentStreams, 'max concurrent streams', [...path, 'maxConcurrentStreams'], sink);
  if (h.h2UpgradePolicy === 'UPGRADE' && h.useClientProtocol)
    sink.error(path, 'use client protocol must not be true when H2UpgradePolicy is UPGRADE');
});

export const ConnectionPoolSettings = obj({ tcp: TCPSettings, http: HTTPSettings }).refine(
  (c, path, sink) => {
    if (!c.tcp && !c.http) sink.error(path, 'connection pool must have at least one field');
  },
);
export type ConnectionPoolSettings = Infer<typeof ConnectionPoolSettings>;

export const OutlierDetection = obj({
  consecutiveErrors: int(),
  splitExternalLocalOriginErrors: bool(),
  consecutiveLocalOriginFailures: uint32(),
  consecutiveGatewayErrors: uint32(),
  consecutive5xxErrors: uint32(),
  interval: msDuration(),
  baseEjectionTime: msDuration(),
  maxEjectionPercent: int(),
  minHealthPercent: int(),
  outlierDetectionHttpErrorCodes: arr(uint32({ min: 100, max: 599 })),
}).refine((o, path, sink) => {
  if (o.consecutiveErrors)
    sink.warn(
      [...path, 'consecutiveErrors'],
      'outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead',
    );
  if (!o.splitExternalLocalOriginErrors && (o.consecutiveLocalOriginFailures ?? 0) > 0)
    sink.error(
      [...path, 'consecutiveLocalOriginFailures'],
      'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false',
    );
  checkPercent(o.maxEjectionPercent, [...path, 'maxEjectionPercent'], sink);
  checkPercent(o.minHealthPercent, [...path, 'minHealthPercent'], sink);
});
export type OutlierDetection = Infer<typeof OutlierDetection>;

export const TunnelSettings = obj(
  { protocol: str(), targetHost: str(), targetPort: uint32() },
  { required: ['targetHost', 'targetPort'] },
).refine((t, path, sink) => {
  if (t.protocol && t.protocol !== 'CONNECT' && t.protocol !== 'POST')
    sink.error([...path, 'protocol'], 'tunnel protocol must be "CONNECT" or "POST"');
  const host = t.targetHost ?? '';
  const fe = fqdnError(host);
  const ie = ipError(host);
  if (fe && ie)
    sink.error([...path, 'targetHost'], `tunnel target host must be valid FQDN or IP address: ${fe}; ${ie}`);
  checkPortNumber(t.targetPort ?? 0, [...path, 'targetPort'], sink);
});

export const ProxyProtocol = obj({ version: enumOf(['V1', 'V2']) });

export const RetryBudget = obj({
  percent: num({ min: 0, max: 100 }),
  minRetryConcurrency: uint32(),
  budgetInterval: duration(),
});

/** Load balancer rules that also look at the outlier detection next to it. */
function checkLbWithOutlier(
  p: { loadBalancer?: LoadBalancerSettings; outlierDetection?: OutlierDetection },
  path: Path,
  sink: Sink,
): void {
  const lb = p.loadBalancer;
  if (lb?.localityLbSetting)
    checkLocalityLb(
      lb.localityLbSetting,
      p.outlierDetection !== undefined,
      [...path, 'loadBalancer', 'localityLbSetting'],
      sink,
    );
  if (lb?.zoneAwareLbSetting)
    checkZoneAwareLb(
      lb.zoneAwareLbSetting,
      p.outlierDetection !== undefined,
      [...path, 'loadBalancer', 'zoneAwareLbSetting'],
      sink,
    );
}

export const PortTrafficPolicy = obj({
  port: PortSelector,
  loadBalancer: LoadBalancerSettings,
  connectionPool: ConnectionPoolSettings,
  outlierDetection: OutlierDetection,
  tls: ClientTLSSettings,
}).refine((t, path, sink) => {
  if (!t.port) sink.error([...path, 'port'], 'portTrafficPolicy must have valid port');
  if (!t.outlierDetection && !t.connectionPool && !t.loadBalancer && !t.tls)
    sink.error(path, 'port traffic policy must have at least one field');
  checkLbWithOutlier(t, path, sink);
});
export type PortTrafficPolicy = Infer<typeof PortTrafficPolicy>;

export const TrafficPolicy = obj({
  loadBalancer: LoadBalancerSettings,
  connectionPool: ConnectionPoolSettings,
  outlierDetection: OutlierDetection,
  tls: ClientTLSSettings,
  portLevelSettings: arr(PortTrafficPolicy, { maxItems: 4096 }),
  tunnel: TunnelSettings,
  proxyProtocol: ProxyProtocol,
  retryBudget: RetryBudget,
}).refine((t, path, sink) => {
  if (Object.values(t).every((v) => v === undefined))
    sink.error(path, 'traffic policy must have at least one field');
  if (t.tunnel && t.proxyProtocol) sink.error(path, 'tunnel and proxyProtocol must not be set together');
  checkLbWithOutlier(t, path, sink);
});
export type TrafficPolicy = Infer<typeof TrafficPolicy>;
