// Registration of envoy.filters.http.router (envoy.extensions.filters.http.router.v3.Router).
import type { Msg } from '../../../config/proto.js';
import { makeCounters } from '../../../stats/store.js';
import type { HttpFilterFactory } from '../types.js';
import { RouterFilter } from './filter.js';
import { ROUTER_COUNTERS } from './stats.js';

export interface RouterConfig {
  suppressEnvoyHeaders: boolean;
}

export const routerFilter = {
  name: 'envoy.filters.http.router',
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  terminal: true,
  parse: (c: Msg) => ({ suppressEnvoyHeaders: Boolean(c.suppress_envoy_headers) }),
  create(config, ctx) {
    const shared = {
      stats: makeCounters(ctx.scope, ROUTER_COUNTERS),
      suppressEnvoyHeaders: config.suppressEnvoyHeaders,
      random: Math.random,
    };
    return () => new RouterFilter(shared);
  },
} satisfies HttpFilterFactory<RouterConfig>;
