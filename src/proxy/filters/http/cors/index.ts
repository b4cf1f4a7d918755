// Registration of envoy.filters.http.cors (envoy.extensions.filters.http.cors.v3.Cors, which has
// no settings); the policy comes per route or virtual host as CorsPolicy.
import { makeCounters } from '../../../stats/store.js';
import type { HttpFilterFactory } from '../types.js';
import { parseCorsPolicy } from './config.js';
import { CORS_FILTER_NAME, CorsFilter } from './filter.js';
import { CORS_COUNTERS } from './stats.js';

export const corsFilter = {
  name: CORS_FILTER_NAME,
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors',
  perRouteTypeUrls: ['type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy'],
  parse: () => undefined,
  parsePerRoute: parseCorsPolicy,
  create(_config, ctx) {
    const shared = {
      stats: makeCounters(ctx.scope.child('cors'), CORS_COUNTERS),
      random: Math.random,
    };
    return () => new CorsFilter(shared);
  },
} satisfies HttpFilterFactory<undefined>;
