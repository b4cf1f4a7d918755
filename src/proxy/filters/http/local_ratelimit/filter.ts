// envoy.filters.http.local_ratelimit, per request: the route's settings (or the listener's) take
// a token; out of tokens and enforced → the configured status (429) "local_rate_limited" with
// x-envoy-ratelimited and flag RL.
import type { HeaderMap } from '../../../http/header-map.js';
import type { StatsStore } from '../../../stats/store.js';
import type { FilterCallbacks, FilterHeadersStatus, HttpFilter } from '../types.js';
import type { LocalRateLimitSettings } from './config.js';

export const LOCAL_RATE_LIMIT_FILTER_NAME = 'envoy.filters.http.local_ratelimit';

export interface LocalRateLimitShared {
  readonly settings: LocalRateLimitSettings;
  readonly store: StatsStore;
  readonly random: () => number;
}

export class LocalRateLimitFilter implements HttpFilter {
  /** set when this request was rate limited: its reply gets the extra headers */
  private limited: LocalRateLimitSettings | undefined;

  constructor(private readonly shared: LocalRateLimitShared) {}

  decodeHeaders(cb: FilterCallbacks): FilterHeadersStatus {
    const per = cb.perFilterConfig<LocalRateLimitSettings | { disabled: true }>(LOCAL_RATE_LIMIT_FILTER_NAME);
    if (per && 'disabled' in per) return 'continue';
    const s = per ?? this.shared.settings;
    if (!s.bucket || !(this.shared.random() < s.enabled)) return 'continue';
    const stats = s.stats(this.shared.store);
    stats.enabled.value++;
    if (s.bucket.consume()) {
      stats.ok.value++;
      return 'continue';
    }
    stats.rate_limited.value++;
    if (!(this.shared.random() < s.enforced)) {
      s.requestHeadersWhenNotEnforced.apply(cb.requestHeaders, cb.info);
      return 'continue';
    }
    stats.enforced.value++;
    this.limited = s;
    cb.sendLocalReply(s.status, 'local_rate_limited', 'RL', 'local_rate_limited');
    return 'stop';
  }

  encodeHeaders(cb: FilterCallbacks, _status: number, headers: HeaderMap): void {
    if (!this.limited) return;
    headers.set('x-envoy-ratelimited', 'true');
    this.limited.responseHeaders.apply(headers, cb.info);
  }
}
