// Registration of envoy.filters.http.rbac (envoy.extensions.filters.http.rbac.v3.RBAC), with
// RBACPerRoute accepted in typed_per_filter_config. Stats: http.<prefix>.rbac.*.
import type { HttpFilterFactory } from '../types.js';
import { rbacStats, type RbacRules } from '../../common/rbac/check.js';
import { parseHttpRbac, parseRbacPerRoute } from './config.js';
import { RBAC_FILTER_NAME, RbacFilter } from './filter.js';

const PKG = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3';

export const rbacFilter = {
  name: RBAC_FILTER_NAME,
  typeUrl: `${PKG}.RBAC`,
  perRouteTypeUrls: [`${PKG}.RBACPerRoute`],
  parse: parseHttpRbac,
  parsePerRoute: parseRbacPerRoute,
  create(rules, ctx) {
    const scope = ctx.scope.child('rbac');
    const shared = { rules, stats: rbacStats(scope, rules) };
    return () => new RbacFilter(shared);
  },
} satisfies HttpFilterFactory<RbacRules>;
