// envoy.config.cluster.v3.OutlierDetection → frozen settings with Envoy's defaults, parsed once
// per cluster: consecutive 5xx (5, enforced 100%), consecutive gateway failure (5, enforced 0%),
// consecutive local-origin failure (5, enforced 100%, only when split_external_local_origin_errors),
// interval 10s, base ejection 30s, max ejection 300s, max ejection 10%; success rate (5 hosts,
// 100 requests, stdev factor 1.9, enforced 100%) and failure percentage (85%, enforced 0%).
import { durationMs, type Msg } from '../../config/proto.js';

export interface OutlierSettings {
  readonly consecutive5xx: number;
  readonly enforcing5xx: number;
  readonly consecutiveGateway: number;
  readonly enforcingGateway: number;
  readonly splitLocalOrigin: boolean;
  readonly consecutiveLocalOrigin: number;
  readonly enforcingLocalOrigin: number;
  readonly intervalMs: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly maxEjectionPercent: number;
  readonly successRate: StatisticalDetector & { readonly stdevFactor: number };
  readonly failurePercentage: StatisticalDetector & { readonly threshold: number };
}

/** The interval-based detectors: who qualifies (hosts, requests) and how often it is enforced. */
export interface StatisticalDetector {
  readonly minimumHosts: number;
  readonly requestVolume: number;
  readonly enforcing: number;
}

const u32 = (w: Msg | undefined, d: number): number => (w?.value !== undefined ? Number(w.value) : d);

export function parseOutlierDetection(o: Msg): OutlierSettings {
  const base = durationMs(o.base_ejection_time) ?? 30_000;
  return Object.freeze({
    consecutive5xx: u32(o.consecutive_5xx, 5),
    enforcing5xx: u32(o.enforcing_consecutive_5xx, 100),
    consecutiveGateway: u32(o.consecutive_gateway_failure, 5),
    enforcingGateway: u32(o.enforcing_consecutive_gateway_failure, 0),
    splitLocalOrigin: Boolean(o.split_external_local_origin_errors),
    consecutiveLocalOrigin: u32(o.consecutive_local_origin_failure, 5),
    enforcingLocalOrigin: u32(o.enforcing_consecutive_local_origin_failure, 100),
    intervalMs: durationMs(o.interval) ?? 10_000,
    baseEjectionMs: base,
    maxEjectionMs: Math.max(durationMs(o.max_ejection_time) ?? 300_000, base),
    maxEjectionPercent: Math.min(100, u32(o.max_ejection_percent, 10)),
    successRate: {
      minimumHosts: u32(o.success_rate_minimum_hosts, 5),
      requestVolume: u32(o.success_rate_request_volume, 100),
      enforcing: u32(o.enforcing_success_rate, 100),
      stdevFactor: u32(o.success_rate_stdev_factor, 1900) / 1000,
    },
    failurePercentage: {
      minimumHosts: u32(o.failure_percentage_minimum_hosts, 5),
      requestVolume: u32(o.failure_percentage_request_volume, 50),
      enforcing: u32(o.enforcing_failure_percentage, 0),
      threshold: u32(o.failure_percentage_threshold, 85),
    },
  });
}
