// Registration of envoy.filters.http.ext_authz (envoy.extensions.filters.http.ext_authz.v3.ExtAuthz),
// ExtAuthzPerRoute accepted per route.
import { makeCounters } from '../../../stats/store.js';
import type { HttpFilterFactory } from '../types.js';
import { parseExtAuthz, parseExtAuthzPerRoute, type ExtAuthzConfig } from './config.js';
import { EXT_AUTHZ_FILTER_NAME, ExtAuthzFilter } from './filter.js';
import { EXT_AUTHZ_COUNTERS } from './stats.js';

const PKG = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3';

export const extAuthzFilter = {
  name: EXT_AUTHZ_FILTER_NAME,
  typeUrl: `${PKG}.ExtAuthz`,
  perRouteTypeUrls: [`${PKG}.ExtAuthzPerRoute`],
  parse: parseExtAuthz,
  parsePerRoute: (c) => parseExtAuthzPerRoute(c),
  create(config, ctx) {
    const suffix = config.statPrefix ? `.${config.statPrefix.replace(/\.$/, '')}` : '';
    const scope = ctx.scope.child(`ext_authz${suffix}`, 'ext_authz');
    const shared = { config, stats: makeCounters(scope, EXT_AUTHZ_COUNTERS) };
    return () => new ExtAuthzFilter(shared);
  },
} satisfies HttpFilterFactory<ExtAuthzConfig>;
