// Registration of envoy.filters.http.jwt_authn (envoy.extensions.filters.http.jwt_authn.v3
// .JwtAuthentication), JwtPerRoute accepted per route. Key sources live per connection manager,
// so a remote JWKS is fetched and cached once for all its streams.
import { makeCounters } from '../../../stats/store.js';
import type { HttpFilterFactory } from '../types.js';
import { JWT_AUTHN_FILTER_NAME } from './authenticator.js';
import { parseJwtAuthn, parseJwtPerRoute, type JwtAuthnConfig } from './config.js';
import { JwtAuthnFilter } from './filter.js';
import { localJwks, RemoteJwks, type JwksSource } from './jwks.js';
import { JWT_AUTHN_COUNTERS } from './stats.js';

const PKG = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3';

export const jwtAuthnFilter = {
  name: JWT_AUTHN_FILTER_NAME,
  typeUrl: `${PKG}.JwtAuthentication`,
  perRouteTypeUrls: [`${PKG}.PerRouteConfig`],
  parse: parseJwtAuthn,
  parsePerRoute: parseJwtPerRoute,
  create(config, ctx) {
    const prefix = `${ctx.scope.prefix}.jwt_authn${config.statPrefix ? `.${config.statPrefix.replace(/\.$/, '')}` : ''}`;
    const scope = ctx.scope.store.scope(prefix, ctx.scope.tags, `${ctx.scope.tagBase}.jwt_authn`);
    const stats = makeCounters(scope, JWT_AUTHN_COUNTERS);
    const jwks = new Map<string, JwksSource>();
    for (const p of config.providers.values())
      jwks.set(
        p.name,
        p.jwks.kind === 'local' ? localJwks(p.jwks.jwks) : new RemoteJwks(p.jwks, ctx.clusterManager, stats),
      );
    const shared = { config, jwks, stats };
    return () => new JwtAuthnFilter(shared);
  },
} satisfies HttpFilterFactory<JwtAuthnConfig>;
