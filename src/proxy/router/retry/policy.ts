// envoy.config.route.v3.RetryPolicy → frozen domain policy, parsed once per route (Envoy
// RetryPolicyImpl): the retry_on conditions as a bitmask, num_retries, per_try_timeout,
// back-off, retriable status codes and headers, and the previous_hosts host predicate.
import { ConfigError, durationMs, type Msg } from '../../config/proto.js';
import { compileHeaderMatcher, type RequestPredicate } from '../match/header.js';

/** retry_on / x-envoy-retry-on / x-envoy-retry-grpc-on conditions. */
export const RetryOn = {
  '5xx': 1 << 0,
  'gateway-error': 1 << 1,
  reset: 1 << 2,
  'connect-failure': 1 << 3,
  'retriable-4xx': 1 << 4,
  'refused-stream': 1 << 5,
  'retriable-status-codes': 1 << 6,
  'retriable-headers': 1 << 7,
  cancelled: 1 << 8,
  'deadline-exceeded': 1 << 9,
  internal: 1 << 10,
  'resource-exhausted': 1 << 11,
  unavailable: 1 << 12,
} as const;

/** gRPC status → the retry_on bit that covers it. */
export const GRPC_RETRY_ON: ReadonlyMap<number, number> = new Map([
  [1, RetryOn.cancelled],
  [4, RetryOn['deadline-exceeded']],
  [8, RetryOn['resource-exhausted']],
  [13, RetryOn.internal],
  [14, RetryOn.unavailable],
]);

/** Parses a comma-separated retry_on list; unknown tokens are ignored as Envoy does. */
export function parseRetryOn(list: string | undefined): number {
  let bits = 0;
  for (const t of (list ?? '').split(',')) bits |= RetryOn[t.trim() as keyof typeof RetryOn] ?? 0;
  return bits;
}

export interface RetryPolicy {
  readonly retryOn: number;
  readonly numRetries: number;
  /** 0: no per-try timeout */
  readonly perTryTimeoutMs: number;
  readonly backOffBaseMs: number;
  readonly backOffMaxMs: number;
  readonly retriableStatusCodes: ReadonlySet<number>;
  /** response headers (matched like request headers) that make a response retriable */
  readonly retriableHeaders: readonly RequestPredicate[];
  /** retry_host_predicate previous_hosts: avoid hosts already tried */
  readonly skipPreviousHosts: boolean;
  readonly hostSelectionMaxAttempts: number;
}

const PREVIOUS_HOSTS =
  'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate';

/** Envoy's policy when a request asks for retries by header and the route has none. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retryOn: 0,
  numRetries: 1,
  perTryTimeoutMs: 0,
  backOffBaseMs: 25,
  backOffMaxMs: 250,
  retriableStatusCodes: new Set<number>(),
  retriableHeaders: [],
  skipPreviousHosts: false,
  hostSelectionMaxAttempts: 1,
});

export function parseRetryPolicy(p: Msg | undefined, path: string): RetryPolicy | undefined {
  if (!p) return undefined;
  const base = durationMs(p.retry_back_off?.base_interval) ?? 25;
  if (base <= 0) throw new ConfigError(`${path}.retry_back_off.base_interval`, 'must be greater than 0');
  const max = durationMs(p.retry_back_off?.max_interval) ?? base * 10;
  if (max < base)
    throw new ConfigError(`${path}.retry_back_off.max_interval`, 'must be at least base_interval');
  const predicates = (p.retry_host_predicate ?? []) as Msg[];
  return Object.freeze({
    retryOn: parseRetryOn(p.retry_on),
    numRetries: Number(p.num_retries?.value ?? 1),
    perTryTimeoutMs: durationMs(p.per_try_timeout) ?? 0,
    backOffBaseMs: base,
    backOffMaxMs: max,
    retriableStatusCodes: new Set(((p.retriable_status_codes ?? []) as number[]).map(Number)),
    retriableHeaders: ((p.retriable_headers ?? []) as Msg[]).map((h, i) =>
      compileHeaderMatcher(h, `${path}.retriable_headers[${i}]`),
    ),
    skipPreviousHosts: predicates.some(
      (h) =>
        h.name === 'envoy.retry_host_predicates.previous_hosts' ||
        h.typed_config?.['@type'] === PREVIOUS_HOSTS,
    ),
    hostSelectionMaxAttempts: Number(p.host_selection_retry_max_attempts ?? 1),
  });
}
