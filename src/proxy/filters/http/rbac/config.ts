// envoy.extensions.filters.http.rbac.v3.RBAC and RBACPerRoute → frozen rules (common/rbac). A
// per-route override without `rbac` turns the filter off for that route, as in Envoy.
import type { Msg } from '../../../config/proto.js';
import { parseRbacRules, type RbacRules } from '../../common/rbac/check.js';

export interface RbacPerRoute {
  /** undefined: the route disables RBAC */
  readonly rules: RbacRules | undefined;
}

export function parseHttpRbac(c: Msg, path: string): RbacRules {
  return parseRbacRules(c, path);
}

export function parseRbacPerRoute(c: Msg, path: string): RbacPerRoute {
  return Object.freeze({ rules: c.rbac ? parseRbacRules(c.rbac, `${path}.rbac`) : undefined });
}
