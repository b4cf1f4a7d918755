// Registration of envoy.filters.http.local_ratelimit
// (envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit), also accepted per route.
import type { HttpFilterFactory } from '../types.js';
import { parseLocalRateLimit, type LocalRateLimitSettings } from './config.js';
import { LOCAL_RATE_LIMIT_FILTER_NAME, LocalRateLimitFilter } from './filter.js';

const TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';

export const localRateLimitFilter = {
  name: LOCAL_RATE_LIMIT_FILTER_NAME,
  typeUrl: TYPE_URL,
  perRouteTypeUrls: [TYPE_URL],
  parse: parseLocalRateLimit,
  parsePerRoute: parseLocalRateLimit,
  create(settings, ctx) {
    const shared = { settings, store: ctx.scope.store, random: Math.random };
    return () => new LocalRateLimitFilter(shared);
  },
} satisfies HttpFilterFactory<LocalRateLimitSettings>;
