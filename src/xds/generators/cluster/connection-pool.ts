// DestinationRule connectionPool and outlierDetection → Cluster circuit_breakers, connect_timeout,
// tcp keepalive, HttpProtocolOptions and outlier_detection (Istio applyConnectionPool / applyOutlierDetection).
import { parseDuration } from '../../proto/duration.js';
import type { ConnectionPoolSettings, OutlierDetection } from '../../../registry/specs.js';
import { u32 } from '../common.js';

/** Istio leaves every threshold at its maximum unless the user lowers it. */
const MAX = 4294967295;

export interface PoolFields {
  circuit_breakers: object;
  connect_timeout?: object;
  upstream_connection_options?: object;
  /** HttpProtocolOptions.common_http_protocol_options */
  commonHttp?: Record<string, unknown>;
  /** h2UpgradePolicy UPGRADE */
  upgradeToH2: boolean;
}

export function connectionPoolFields(pool: ConnectionPoolSettings | undefined): PoolFields {
  const tcp = pool?.tcp;
  const http = pool?.http;
  const threshold = {
    max_connections: u32(tcp?.maxConnections || MAX),
    max_pending_requests: u32(http?.http1MaxPendingRequests || MAX),
    max_requests: u32(http?.http2MaxRequests || MAX),
    max_retries: u32(http?.maxRetries || MAX),
    track_remaining: true,
  };
  const commonHttp: Record<string, unknown> = {};
  if (http?.maxRequestsPerConnection)
    commonHttp.max_requests_per_connection = u32(http.maxRequestsPerConnection);
  if (http?.idleTimeout) commonHttp.idle_timeout = parseDuration(http.idleTimeout);
  if (tcp?.maxConnectionDuration)
    commonHttp.max_connection_duration = parseDuration(tcp.maxConnectionDuration);
  const ka = tcp?.tcpKeepalive;
  return {
    circuit_breakers: { thresholds: [threshold] },
    ...(tcp?.connectTimeout ? { connect_timeout: parseDuration(tcp.connectTimeout) } : {}),
    ...(ka
      ? {
          upstream_connection_options: {
            tcp_keepalive: {
              ...(ka.probes ? { keepalive_probes: u32(ka.probes) } : {}),
              ...(ka.time ? { keepalive_time: u32(parseDuration(ka.time).seconds) } : {}),
              ...(ka.interval ? { keepalive_interval: u32(parseDuration(ka.interval).seconds) } : {}),
            },
          },
        }
      : {}),
    ...(Object.keys(commonHttp).length > 0 ? { commonHttp } : {}),
    upgradeToH2: http?.h2UpgradePolicy === 'UPGRADE',
  };
}

/**
 * Envoy OutlierDetection. `consecutiveErrors` (deprecated) and `consecutiveGatewayErrors` count
 * 502/503/504 only; `consecutive5xxErrors` counts every 5xx. minHealthPercent becomes the panic threshold.
 */
export function outlierDetectionFields(od: OutlierDetection | undefined): {
  outlier_detection?: object;
  healthy_panic_threshold?: object;
} {
  if (!od) return {};
  const out: Record<string, unknown> = {};
  const gateway = od.consecutiveGatewayErrors ?? od.consecutiveErrors;
  if (gateway) {
    out.consecutive_gateway_failure = u32(gateway);
    out.enforcing_consecutive_gateway_failure = u32(100);
  }
  if (od.consecutive5xxErrors !== undefined) {
    out.consecutive_5xx = u32(od.consecutive5xxErrors);
    out.enforcing_consecutive_5xx = u32(od.consecutive5xxErrors > 0 ? 100 : 0);
  } else {
    // Envoy enforces consecutive 5xx at 5 by default; Istio only enforces what the user asked for.
    out.enforcing_consecutive_5xx = u32(0);
  }
  if (od.splitExternalLocalOriginErrors) {
    out.split_external_local_origin_errors = true;
    if (od.consecutiveLocalOriginFailures) {
      out.consecutive_local_origin_failure = u32(od.consecutiveLocalOriginFailures);
      out.enforcing_consecutive_local_origin_failure = u32(100);
    }
  }
  if (od.interval) out.interval = parseDuration(od.interval);
  if (od.baseEjectionTime) out.base_ejection_time = parseDuration(od.baseEjectionTime);
  if (od.maxEjectionPercent !== undefined) out.max_ejection_percent = u32(od.maxEjectionPercent);
  out.enforcing_success_rate = u32(0);
  return { outlier_detection: out, healthy_panic_threshold: { value: od.minHealthPercent ?? 0 } };
}
