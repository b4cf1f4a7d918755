// envoy.config.cluster.v3.CircuitBreakers → the thresholds of the DEFAULT priority (Envoy's
// defaults: 1024 connections, pending requests and requests, 3 retries), parsed once per cluster.
import type { Msg } from '../../config/proto.js';

export interface Thresholds {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
  /** track_remaining: publish the remaining_* gauges */
  readonly trackRemaining: boolean;
}

export function parseThresholds(cb: Msg | undefined): Thresholds {
  const t = ((cb?.thresholds ?? []) as Msg[]).find((x) => (x.priority ?? 'DEFAULT') === 'DEFAULT') ?? {};
  return Object.freeze({
    maxConnections: Number(t.max_connections?.value ?? 1024),
    maxPendingRequests: Number(t.max_pending_requests?.value ?? 1024),
    maxRequests: Number(t.max_requests?.value ?? 1024),
    maxRetries: Number(t.max_retries?.value ?? 3),
    trackRemaining: Boolean(t.track_remaining),
  });
}
