// Istio 1.1 Policy/MeshPolicy `origins` → envoy.filters.http.jwt_authn. src/security translates
// RequestAuthentication only; this adapter reuses its provider builder with 1.1's semantics: a
// request must carry a valid token from one origin (401 otherwise) unless originIsOptional.
import type { AuthnPolicy, JWTRule } from '../../../api/security/index.js';
import { jwtProvider, lenientRequirement } from '../../../security/authn/jwt.js';
import { FilterName, MessageName, type EnvoyFilter, type JwtOptions } from '../../../security/index.js';
import { typed } from '../common.js';

type Origin = NonNullable<AuthnPolicy['origins']>[number];

function toJwtRule(o: Origin): JWTRule {
  const jwt = o.jwt ?? {};
  return {
    ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
    ...(jwt.audiences ? { audiences: jwt.audiences } : {}),
    ...(jwt.jwksUri ? { jwksUri: jwt.jwksUri } : {}),
    ...(jwt.jwtHeaders?.length ? { fromHeaders: jwt.jwtHeaders.map((name) => ({ name })) } : {}),
    ...(jwt.jwtParams?.length ? { fromParams: jwt.jwtParams } : {}),
  };
}

export function v1alpha1JwtFilter(policy: AuthnPolicy, o: JwtOptions): EnvoyFilter | undefined {
  const origins = policy.origins ?? [];
  if (origins.length === 0) return undefined;
  const providers = Object.fromEntries(
    origins.map((og, i) => [`origins-${i}`, jwtProvider(toJwtRule(og), o)]),
  );
  const names = Object.keys(providers);
  const requires = policy.originIsOptional
    ? lenientRequirement(names)
    : names.length === 1
      ? { provider_name: names[0] }
      : { requires_any: { requirements: names.map((provider_name) => ({ provider_name })) } };
  return {
    name: FilterName.jwtAuthn,
    typed_config: typed(MessageName.jwtAuthn, {
      providers,
      rules: [{ match: { prefix: '/' }, requires }],
      bypass_cors_preflight: true,
    }),
  };
}
