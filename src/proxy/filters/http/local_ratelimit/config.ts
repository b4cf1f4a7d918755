// envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit → settings parsed once (listener
// config or per-route override), each with its own token bucket and stats: filter_enabled and
// filter_enforced default to 0% as in Envoy; status defaults to 429.
import { ConfigError, durationMs, fraction, type Msg } from '../../../config/proto.js';
import { compileHeaderMutation, type HeaderMutation } from '../../../router/header-mutation.js';
import { makeCounters, type Counter, type StatsStore } from '../../../stats/store.js';
import { protoRoot } from '../../../../xds/proto/root.js';
import { LOCAL_RATE_LIMIT_COUNTERS } from './stats.js';
import { TokenBucket } from './token-bucket.js';

export interface LocalRateLimitSettings {
  readonly statPrefix: string;
  /** undefined: no token_bucket, the filter lets everything through */
  readonly bucket: TokenBucket | undefined;
  readonly enabled: number;
  readonly enforced: number;
  readonly status: number;
  /** added to rate-limited responses */
  readonly responseHeaders: HeaderMutation;
  /** added to requests that were over the limit but not enforced */
  readonly requestHeadersWhenNotEnforced: HeaderMutation;
  /** bound to a stats store when the owning connection manager starts */
  stats(store: StatsStore): { [K in (typeof LOCAL_RATE_LIMIT_COUNTERS)[number]]: Counter };
}

/** envoy.type.v3.HttpStatus.code arrives as the StatusCode enum name (or its number). */
function statusCode(code: string | number | undefined): number {
  if (code === undefined) return 429;
  if (typeof code === 'number') return code;
  return protoRoot().lookupEnum('envoy.type.v3.StatusCode').values[code] ?? 429;
}

export function parseLocalRateLimit(c: Msg, path: string): LocalRateLimitSettings {
  if (!c.stat_prefix) throw new ConfigError(`${path}.stat_prefix`, 'stat_prefix is required');
  const tb = c.token_bucket as Msg | undefined;
  let bucket: TokenBucket | undefined;
  if (tb) {
    const interval = durationMs(tb.fill_interval);
    if (!interval || interval <= 0)
      throw new ConfigError(`${path}.token_bucket.fill_interval`, 'fill_interval must be greater than 0');
    bucket = new TokenBucket(Number(tb.max_tokens ?? 0), Number(tb.tokens_per_fill?.value ?? 1), interval);
  }
  const statPrefix = c.stat_prefix as string;
  let counters: ReturnType<LocalRateLimitSettings['stats']> | undefined;
  return Object.freeze({
    statPrefix,
    bucket,
    enabled: fraction(c.filter_enabled?.default_value),
    enforced: fraction(c.filter_enforced?.default_value),
    status: statusCode(c.status?.code),
    responseHeaders: compileHeaderMutation(c.response_headers_to_add, undefined, `${path}.response_headers`),
    requestHeadersWhenNotEnforced: compileHeaderMutation(
      c.request_headers_to_add_when_not_enforced,
      undefined,
      `${path}.request_headers_when_not_enforced`,
    ),
    stats(store: StatsStore) {
      counters ??= makeCounters(
        store.scope(`${statPrefix}.http_local_rate_limit`),
        LOCAL_RATE_LIMIT_COUNTERS,
      );
      return counters;
    },
  });
}
