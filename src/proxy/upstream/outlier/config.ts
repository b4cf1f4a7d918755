// envoy.config.cluster.v3.OutlierDetection → frozen settings with Envoy's defaults, parsed once
// per cluster: consecutive 5xx (5, enforced 100%), consecutive gateway failure (5, enforced 0%),
// consecutive local-origin failure (5, enforced 100%, only when split_external_local_origin_errors),
// interval 10s, base ejection 30s, max ejection 300s, max ejection 10%.
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
  });
}
