// envoy.config.core.v3.HealthCheck → frozen settings parsed once per cluster: timing (timeout,
// interval + jitter, unhealthy_interval, no_traffic_interval 60s), thresholds, and the HTTP
// (path, host, expected_statuses default [200, 300), retriable_statuses) or TCP (send/receive) check.
import { ConfigError, durationMs, type Msg } from '../../config/proto.js';

export type CheckKind =
  | {
      readonly kind: 'http';
      readonly path: string;
      /** Host header; the cluster name when the config leaves it empty (Envoy) */
      readonly host: string;
      readonly method: string;
      readonly expected: readonly (readonly [number, number])[];
      readonly retriable: readonly (readonly [number, number])[];
    }
  | { readonly kind: 'tcp'; readonly send: Buffer | undefined; readonly receive: readonly Buffer[] };

export interface HealthCheckSettings {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly jitterMs: number;
  readonly unhealthyIntervalMs: number;
  readonly noTrafficIntervalMs: number;
  readonly unhealthyThreshold: number;
  readonly healthyThreshold: number;
  readonly check: CheckKind;
}

function ranges(list: Msg[] | undefined, dflt: [number, number][]): [number, number][] {
  if (!list?.length) return dflt;
  return list.map((r) => [Number(r.start ?? 0), Number(r.end ?? 0)]);
}

/** Payload {text: hex} or {binary: base64}. */
function payload(p: Msg, path: string): Buffer {
  if (typeof p.text === 'string') {
    if (!/^([0-9a-fA-F]{2})*$/.test(p.text)) throw new ConfigError(`${path}.text`, 'text must be hex');
    return Buffer.from(p.text, 'hex');
  }
  return Buffer.from((p.binary as string | undefined) ?? '', 'base64');
}

function parseOne(h: Msg, cluster: string, path: string): HealthCheckSettings {
  const timeoutMs = durationMs(h.timeout);
  const intervalMs = durationMs(h.interval);
  if (!timeoutMs || !intervalMs)
    throw new ConfigError(path, 'timeout and interval are required and must be greater than 0');
  let check: CheckKind;
  if (h.http_health_check) {
    const c = h.http_health_check as Msg;
    if (!c.path) throw new ConfigError(`${path}.http_health_check.path`, 'path is required');
    check = {
      kind: 'http',
      path: c.path,
      host: (c.host as string | undefined) || cluster,
      method: (c.method as string | undefined) && c.method !== 'METHOD_UNSPECIFIED' ? c.method : 'GET',
      expected: ranges(c.expected_statuses, [[200, 300]]),
      retriable: ranges(c.retriable_statuses, []),
    };
  } else if (h.tcp_health_check) {
    const c = h.tcp_health_check as Msg;
    check = {
      kind: 'tcp',
      send: c.send ? payload(c.send, `${path}.tcp_health_check.send`) : undefined,
      receive: ((c.receive ?? []) as Msg[]).map((p, i) =>
        payload(p, `${path}.tcp_health_check.receive[${i}]`),
      ),
    };
  } else throw new ConfigError(path, 'only http_health_check and tcp_health_check are supported');
  return Object.freeze({
    timeoutMs,
    intervalMs,
    jitterMs: durationMs(h.interval_jitter) ?? 0,
    unhealthyIntervalMs: durationMs(h.unhealthy_interval) ?? intervalMs,
    noTrafficIntervalMs: durationMs(h.no_traffic_interval) ?? 60_000,
    unhealthyThreshold: Number(h.unhealthy_threshold?.value ?? 1),
    healthyThreshold: Number(h.healthy_threshold?.value ?? 1),
    check,
  });
}

export function parseHealthChecks(list: readonly Msg[], cluster: string): HealthCheckSettings[] {
  return list.map((h, i) => parseOne(h, cluster, `health_checks[${i}]`));
}
