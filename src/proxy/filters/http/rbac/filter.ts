// envoy.filters.http.rbac, per request: shadow rules report through dynamic metadata and stats,
// enforced rules deny with 403 "RBAC: access denied" and details
// rbac_access_denied_matched_policy[<policy>|none] (Envoy sets no response flag for RBAC).
import { checkRbac, type RbacRules, type RbacStats } from '../../common/rbac/check.js';
import { ipOf, type RbacRequest } from '../../common/rbac/request.js';
import type { FilterCallbacks, FilterHeadersStatus, HttpFilter } from '../types.js';
import type { RbacPerRoute } from './config.js';

export const RBAC_FILTER_NAME = 'envoy.filters.http.rbac';

/** Shared by every stream of one connection manager. */
export interface RbacShared {
  readonly rules: RbacRules;
  readonly stats: RbacStats;
}

export class RbacFilter implements HttpFilter {
  constructor(private readonly shared: RbacShared) {}

  decodeHeaders(cb: FilterCallbacks): FilterHeadersStatus {
    const per = cb.perFilterConfig<RbacPerRoute | { disabled: true }>(RBAC_FILTER_NAME);
    if (per && 'disabled' in per) return 'continue';
    const rules = per ? per.rules : this.shared.rules;
    if (!rules) return 'continue';
    const info = cb.info;
    const req: RbacRequest = {
      connection: cb.connection,
      http: cb,
      remoteIp: ipOf(info.downstreamRemoteAddress),
      metadata: (f) => info.dynamicMetadata.get(f),
    };
    const out = checkRbac(rules, this.shared.stats, req);
    if (out.metadata) info.setDynamicMetadata(RBAC_FILTER_NAME, out.metadata);
    if (out.log !== undefined) info.setDynamicMetadata('envoy.common', { access_log_hint: out.log });
    if (out.allowed) return 'continue';
    cb.sendLocalReply(
      403,
      'RBAC: access denied',
      undefined,
      `rbac_access_denied_matched_policy[${out.policy}]`,
    );
    return 'stop';
  }
}
