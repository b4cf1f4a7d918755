// RequestAuthentication → envoy.filters.http.jwt_authn (Istio authn policy_applier.go): one provider
// per JWT rule (sorted by issuer), the payload written to dynamic metadata under `payload` for the
// RBAC matchers, and requirements that reject an invalid token (401) but let a request without
// one through to authorization: one rule → [provider | allow_missing]; several → any one provider
// valid, or every one of them valid-or-missing.
import type { JWTRule, RequestAuthentication } from '../../api/security/index.js';
import { parseDuration } from '../../xds/proto/duration.js';
import { JWT_PAYLOAD_KEY } from '../authz/attributes.js';
import { lookupCluster, outboundCluster, type ServiceRef } from '../cluster-lookup.js';
import { filter, FilterName, MessageName, type EnvoyFilter, type Json } from '../envoy.js';

export interface RequestAuthnConfig {
  name: string;
  namespace: string;
  spec: RequestAuthentication;
}

/** Who fetches JWKS (Istio PILOT_JWT_ENABLE_REMOTE_JWKS): the control plane (default) or Envoy. */
export type JwksFetchMode = 'istiod' | 'envoy' | 'hybrid';

export interface JwtOptions {
  jwksFetchMode?: JwksFetchMode;
  /** Registry services, to find the JWKS server's cluster when Envoy fetches. */
  services?: readonly ServiceRef[];
  /** The JWKS document for a URI as the control plane fetched it; undefined when it could not. */
  resolveJwks?: (jwksUri: string, issuer: string) => string | undefined;
  clearRouteCache?: boolean;
}

const DEFAULT_TIMEOUT = '5s';
const JWKS_CACHE_DURATION = { seconds: 300, nanos: 0 };
const DEFAULT_SPACE_DELIMITED_CLAIMS = ['permission', 'scope'];

/**
 * Used when the control plane could not fetch a JWKS: an RSA public key whose private half was
 * discarded when it was generated, so no token verifies (fail closed).
 */
export const PUBLIC_ONLY_JWKS = JSON.stringify({
  keys: [
    {
      kty: 'RSA',
      e: 'AQAB',
      n: 'xcLN-bcT0pNS4hNAzAOMvW4shkAMJV92lDiRoY42E6gUPYFjVBlzrTX57ZVGwt0fiLOqMjvNBGyJt1jMyfmkaHst7Nk8fcOwXcc_AP6yQXAChagBWiklJmmv5546c_0TNuLuZo9YIj_2KWoa-CI0ERnI1XrSOut-UqkohTUbjgdUZ_LfXxkUAzefAzaPvPiZk5f98cheX1C_mJqyUe7wAeoQsK0wKWa-Q34EaFofldxiutE9kxjqxsSEQfKG_e1-yg78_5GIcYc7kuGurvgcS8hH18P-OOio4E3F_hGambQ0UUrJXVS3p2kaNqLsRJnZkcBRoUpVaQQf9AVBnxMF6Q',
      kid: 'weft-public-only',
      alg: 'RS256',
    },
  ],
});

const jwksUriOf = (r: JWTRule) => r.jwksUri ?? r.jwks_uri ?? '';

/** http(s)://host[:port]/… → host and port (80/443 by default). */
function parseJwksUri(uri: string): { hostname: string; port: number } {
  const u = new URL(uri);
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { hostname: u.hostname, port };
}

function jwksSource(r: JWTRule, o: JwtOptions): Json {
  const uri = jwksUriOf(r);
  const timeout = parseDuration(r.timeout ?? DEFAULT_TIMEOUT);
  const mode = o.jwksFetchMode ?? 'istiod';
  const local = (jwks: string | undefined) => ({ local_jwks: { inline_string: jwks ?? PUBLIC_ONLY_JWKS } });
  if (mode === 'istiod' || uri === '') return local(r.jwks ?? o.resolveJwks?.(uri, r.issuer ?? ''));
  const { hostname, port } = parseJwksUri(uri);
  let cluster: string;
  try {
    cluster = lookupCluster(o.services ?? [], hostname, port).cluster;
  } catch {
    // Hybrid falls back to the control plane for JWKS servers outside the registry.
    if (mode === 'hybrid') return local(o.resolveJwks?.(uri, r.issuer ?? ''));
    cluster = outboundCluster(hostname, port);
  }
  return { remote_jwks: { http_uri: { uri, cluster, timeout }, cache_duration: JWKS_CACHE_DURATION } };
}

function spaceDelimitedClaims(claims: readonly string[] | undefined): string[] {
  if (!claims) return DEFAULT_SPACE_DELIMITED_CLAIMS;
  return [...new Set([...claims, ...DEFAULT_SPACE_DELIMITED_CLAIMS])].sort();
}

/** One JwtProvider for a RequestAuthentication JWT rule. */
export function jwtProvider(r: JWTRule, o: JwtOptions): Json {
  return {
    issuer: r.issuer ?? '',
    audiences: r.audiences ?? [],
    forward: r.forwardOriginalToken ?? false,
    forward_payload_header: r.outputPayloadToHeader ?? '',
    payload_in_metadata: JWT_PAYLOAD_KEY,
    normalize_payload_in_metadata: { space_delimited_claims: spaceDelimitedClaims(r.spaceDelimitedClaims) },
    clear_route_cache: o.clearRouteCache ?? false,
    claim_to_headers: (r.outputClaimToHeaders ?? []).map((c) => ({
      header_name: c.header,
      claim_name: c.claim,
    })),
    from_headers: (r.fromHeaders ?? []).map((h) => ({ name: h.name, value_prefix: h.prefix ?? '' })),
    from_params: r.fromParams ?? [],
    from_cookies: r.fromCookies ?? [],
    ...jwksSource(r, o),
  };
}

const byProvider = (name: string): Json => ({ provider_name: name });
const ALLOW_MISSING: Json = { allow_missing: {} };

/** Istio's requirement: a present token must be valid for some provider; a missing one passes. */
export function lenientRequirement(names: readonly string[]): Json {
  const validOrMissing = names.map((n) => ({
    requires_any: { requirements: [byProvider(n), ALLOW_MISSING] },
  }));
  if (validOrMissing.length === 1) return validOrMissing[0]!;
  return {
    requires_any: {
      requirements: [...names.map(byProvider), { requires_all: { requirements: validOrMissing } }],
    },
  };
}

/** The jwt_authn filter for the RequestAuthentications that apply to a workload, if any. */
export function buildJwtAuthnFilter(
  policies: readonly RequestAuthnConfig[],
  o: JwtOptions = {},
): EnvoyFilter | undefined {
  const rules = policies
    .flatMap((p) => p.spec.jwtRules ?? [])
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.issuer ?? '').localeCompare(b.r.issuer ?? '') || a.i - b.i)
    .map((x) => x.r);
  if (rules.length === 0) return undefined;
  const providers = Object.fromEntries(rules.map((r, i) => [`origins-${i}`, jwtProvider(r, o)]));
  return filter(FilterName.jwtAuthn, MessageName.jwtAuthn, {
    providers,
    rules: [{ match: { prefix: '/' }, requires: lenientRequirement(Object.keys(providers)) }],
    bypass_cors_preflight: true,
  });
}
