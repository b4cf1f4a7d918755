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
} from '../schema/dsl.js';
import { PortSelector } from './messages.js';
import { ClientTLSSettings } from './tls.js';

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
);
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

export const WarmupConfiguration = obj(
  {
    duration: duration(),
    minimumPercent: num({ min: 0, max: 100 }),
    aggression: num({ min: 0 }),
  },
  { required: ['duration'] },
);

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
    warmupDurationSecs: duration(),
    warmup: WarmupConfiguration,
  },
  {
    oneOf: [
      ['simple', 'consistentHash'],
      ['warmupDurationSecs', 'warmup'],
    ],
  },
);
export type LoadBalancerSettings = Infer<typeof LoadBalancerSettings>;

export const ConnectionPoolSettings = obj({
  tcp: obj({
    maxConnections: int(),
    connectTimeout: duration(),
    tcpKeepalive: obj({ probes: uint32(), time: duration(), interval: duration() }),
    maxConnectionDuration: duration(),
    idleTimeout: duration(),
  }),
  http: obj({
    http1MaxPendingRequests: int(),
    http2MaxRequests: int(),
    maxRequestsPerConnection: int(),
    maxRetries: int(),
    idleTimeout: duration(),
    h2UpgradePolicy: enumOf(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']),
    useClientProtocol: bool(),
    maxConcurrentStreams: int(),
    http2KeepAlive: obj({ interval: duration(), timeout: duration() }),
  }),
});
export type ConnectionPoolSettings = Infer<typeof ConnectionPoolSettings>;

export const OutlierDetection = obj({
  consecutiveErrors: int(),
  splitExternalLocalOriginErrors: bool(),
  consecutiveLocalOriginFailures: uint32(),
  consecutiveGatewayErrors: uint32(),
  consecutive5xxErrors: uint32(),
  interval: duration(),
  baseEjectionTime: duration(),
  maxEjectionPercent: int(),
  minHealthPercent: int(),
  outlierDetectionHttpErrorCodes: arr(uint32()),
});
export type OutlierDetection = Infer<typeof OutlierDetection>;

export const TunnelSettings = obj(
  { protocol: str(), targetHost: str(), targetPort: uint32() },
  { required: ['targetHost', 'targetPort'] },
);

export const ProxyProtocol = obj({ version: enumOf(['V1', 'V2']) });

export const RetryBudget = obj({
  percent: num({ min: 0, max: 100 }),
  minRetryConcurrency: uint32(),
  budgetInterval: duration(),
});

export const PortTrafficPolicy = obj({
  port: PortSelector,
  loadBalancer: LoadBalancerSettings,
  connectionPool: ConnectionPoolSettings,
  outlierDetection: OutlierDetection,
  tls: ClientTLSSettings,
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
});
export type TrafficPolicy = Infer<typeof TrafficPolicy>;
