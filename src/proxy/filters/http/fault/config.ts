// envoy.extensions.filters.http.fault.v3.HTTPFault → frozen settings, parsed once (listener
// config and the per-route override alike): fixed or header-controlled delay and abort, each
// with its percentage, plus the request conditions (headers, upstream_cluster) and max_active_faults.
import { ConfigError, durationMs, fraction, type Msg } from '../../../config/proto.js';
import { compileHeaderMatcher, type RequestPredicate } from '../../../router/match/header.js';

export type FaultDelay =
  | { readonly kind: 'fixed'; readonly ms: number; readonly percent: number }
  /** x-envoy-fault-delay-request names the delay; its -percentage header may lower `percent` */
  | { readonly kind: 'header'; readonly percent: number; readonly denominator: number };

export type FaultAbort =
  | { readonly kind: 'http'; readonly status: number; readonly percent: number }
  | { readonly kind: 'grpc'; readonly status: number; readonly percent: number }
  /** x-envoy-fault-abort-request / x-envoy-fault-abort-grpc-request name the status */
  | { readonly kind: 'header'; readonly percent: number; readonly denominator: number };

export interface FaultSettings {
  readonly delay: FaultDelay | undefined;
  readonly abort: FaultAbort | undefined;
  /** every matcher must accept the request */
  readonly headers: readonly RequestPredicate[];
  readonly upstreamCluster: string | undefined;
  readonly maxActiveFaults: number | undefined;
}

/** The header-supplied percentage is a numerator over the configured denominator. */
function denominator(p: Msg | undefined): number {
  return p ? 1 / fraction({ numerator: 1, denominator: p.denominator }) : 100;
}

function parseDelay(d: Msg | undefined, path: string): FaultDelay | undefined {
  if (!d) return undefined;
  // Envoy's default percentage for delay and abort is 100% when the field is absent.
  const percent = fraction(d.percentage, 1);
  if (d.header_delay) return { kind: 'header', percent, denominator: denominator(d.percentage) };
  const ms = durationMs(d.fixed_delay);
  if (ms === undefined)
    throw new ConfigError(`${path}.fixed_delay`, 'fixed_delay or header_delay is required');
  return { kind: 'fixed', ms, percent };
}

function parseAbort(a: Msg | undefined, path: string): FaultAbort | undefined {
  if (!a) return undefined;
  const percent = fraction(a.percentage, 1);
  if (a.header_abort) return { kind: 'header', percent, denominator: denominator(a.percentage) };
  if (a.grpc_status !== undefined) return { kind: 'grpc', status: Number(a.grpc_status), percent };
  const status = Number(a.http_status);
  if (!(status >= 200 && status < 600))
    throw new ConfigError(`${path}.http_status`, 'http_status must be in [200, 600)');
  return { kind: 'http', status, percent };
}

export function parseFault(c: Msg, path: string): FaultSettings {
  return Object.freeze({
    delay: parseDelay(c.delay, `${path}.delay`),
    abort: parseAbort(c.abort, `${path}.abort`),
    headers: ((c.headers ?? []) as Msg[]).map((h, i) => compileHeaderMatcher(h, `${path}.headers[${i}]`)),
    upstreamCluster: (c.upstream_cluster as string | undefined) || undefined,
    maxActiveFaults: c.max_active_faults?.value !== undefined ? Number(c.max_active_faults.value) : undefined,
  });
}
