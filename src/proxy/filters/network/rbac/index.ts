// envoy.filters.network.rbac (envoy.extensions.filters.network.rbac.v3.RBAC): checks a connection
// before the terminal filter sees it and closes it when denied; <stat_prefix>rbac.* stats; the
// shadow result goes to the connection's dynamic metadata (Istio's CUSTOM gate for ext_authz).
// Every fact RBAC matches on (peer, addresses, metadata of the filters before it) is known when it
// runs, and none changes later, so CONTINUOUS and ONE_TIME_ON_FIRST_BYTE decide alike, once.
import { ConfigError, type Msg } from '../../../config/proto.js';
import { setConnectionMetadata } from '../../../listener/connection.js';
import { checkRbac, parseRbacRules, rbacStats, type RbacRules } from '../../common/rbac/check.js';
import type { ReadFilterFactory } from '../types.js';

export interface NetworkRbacConfig {
  readonly statPrefix: string;
  readonly rules: RbacRules;
}

function parse(c: Msg, path: string): NetworkRbacConfig {
  if (!c.stat_prefix) throw new ConfigError(`${path}.stat_prefix`, 'stat_prefix is required');
  return Object.freeze({ statPrefix: c.stat_prefix as string, rules: parseRbacRules(c, path) });
}

export const networkRbacFilter = {
  name: 'envoy.filters.network.rbac',
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC',
  kind: 'read',
  parse: (c, path) => parse(c, path),
  create(cfg, ctx) {
    const stats = rbacStats(ctx.store.scope(`${cfg.statPrefix}rbac`), cfg.rules);
    return {
      onNewConnection(_socket, conn) {
        const out = checkRbac(cfg.rules, stats, {
          connection: conn,
          http: undefined,
          remoteIp: conn.remoteAddress,
          metadata: (f) => conn.dynamicMetadata?.get(f),
        });
        if (out.metadata) setConnectionMetadata(conn, 'envoy.filters.network.rbac', out.metadata);
        return out.allowed ? 'continue' : 'stop';
      },
    };
  },
} satisfies ReadFilterFactory<NetworkRbacConfig>;
