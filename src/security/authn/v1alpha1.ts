// Istio 1.1 Policy/MeshPolicy JWT authentication (plugin/authn's jwt-auth + istio_authn filters) as
// one standard envoy.filters.http.jwt_authn. Origins: a request on a path where some origin's
// triggerRules fire must carry a token valid for one of those origins (401 otherwise), unless
// originIsOptional; where none fires the origin check is skipped. Peer JWTs: required on every
// path when no mTLS peer method can succeed first and peerIsOptional is false. 1.1 forwarded the
// token to the app. principalBinding decides what RBAC's request.auth.principal is.
import type { AuthnPolicy, JWTRule } from '../../api/security/index.js';
import { filter, FilterName, MessageName, type EnvoyFilter, type Json } from '../envoy.js';
import { authnPolicyFor, type AuthnPolicyConfig, type ServicePortRef } from '../mtls/resolve.js';
import { jwtProvider, type JwtOptions } from './jwt.js';
import { allOf, triggerClauses, type Clause } from './trigger-rules.js';

type Jwt = NonNullable<NonNullable<AuthnPolicy['origins']>[number]['jwt']>;

export interface V1alpha1AuthnOptions extends JwtOptions {
  /** Gateways: 1.1 enabled mTLS peer methods for sidecars only. */
  gateway?: boolean;
}

/** Where RBAC reads request.auth.principal: the JWT payload, or the peer's certificate identity. */
export type RequestPrincipalSource = 'jwt' | 'peer';

/** Subsets of 0..n-1, largest first, so a first-match rule list meets the full triggered set first. */
function subsetsLargestFirst(n: number): number[][] {
  const all: number[][] = [];
  for (let mask = (1 << n) - 1; mask > 0; mask--)
    all.push([...Array(n).keys()].filter((i) => mask & (1 << i)));
  return all.sort((a, b) => b.length - a.length);
}

const provider = (provider_name: string): Json => ({ provider_name });
const ALLOW_MISSING_OR_FAILED: Json = { allow_missing_or_failed: {} };

/** A valid token for one of `names`, or — when optional — verified if valid, never rejected. */
function anyOf(names: readonly string[], optional: boolean): Json {
  const requirements = [...names.map(provider), ...(optional ? [ALLOW_MISSING_OR_FAILED] : [])];
  return requirements.length === 1 ? requirements[0]! : { requires_any: { requirements } };
}

function both(a: Json | undefined, b: Json | undefined): Json | undefined {
  if (a && b) return { requires_all: { requirements: [a, b] } };
  return a ?? b;
}

function toJwtRule(jwt: Jwt): JWTRule {
  return {
    issuer: jwt.issuer ?? '',
    audiences: jwt.audiences ?? [],
    ...(jwt.jwksUri ? { jwksUri: jwt.jwksUri } : {}),
    fromHeaders: (jwt.jwtHeaders ?? []).map((name) => ({ name })),
    fromParams: jwt.jwtParams ?? [],
    forwardOriginalToken: true,
  };
}

const hasMtlsPeer = (spec: AuthnPolicy, o: V1alpha1AuthnOptions) =>
  !o.gateway && (spec.peers ?? []).some((p) => p.mtls !== undefined);

/** The jwt_authn filter for the 1.1 policy of a service port, if that policy has JWT methods. */
export function buildV1alpha1AuthnFilter(
  policies: readonly AuthnPolicyConfig[],
  workload: ServicePortRef,
  o: V1alpha1AuthnOptions = {},
): EnvoyFilter | undefined {
  const spec = authnPolicyFor(policies, workload)?.spec;
  if (!spec) return undefined;
  const peerJwts = (spec.peers ?? []).flatMap((p) => (p.jwt ? [p.jwt] : []));
  const origins = (spec.origins ?? []).flatMap((og) => (og.jwt ? [og.jwt] : []));
  if (peerJwts.length === 0 && origins.length === 0) return undefined;

  const providers: Record<string, Json> = {};
  const add = (prefix: string) => (jwt: Jwt, i: number) => {
    const name = `${prefix}-${i}`;
    providers[name] = jwtProvider(toJwtRule(jwt), o);
    return name;
  };
  const peerNames = peerJwts.map(add('peers'));
  const originNames = origins.map(add('origins'));

  const peer = peerNames.length
    ? anyOf(peerNames, hasMtlsPeer(spec, o) || spec.peerIsOptional === true)
    : undefined;
  const originRequirement = (names: readonly string[]) =>
    names.length ? anyOf(names, spec.originIsOptional === true) : undefined;

  const triggers = origins.map(triggerClauses);
  const always = originNames.filter((_, i) => !triggers[i]);
  const conditional = originNames.flatMap((name, i) => {
    const clauses = triggers[i];
    return clauses ? [{ name, clauses }] : [];
  });
  const rules: Json[] = [];
  const rule = (clause: Clause, requires: Json | undefined): Json => ({
    match: { prefix: '/', ...(clause.length && { headers: clause }) },
    ...(requires && { requires }),
  });
  for (const subset of subsetsLargestFirst(conditional.length)) {
    const triggered = subset.map((i) => conditional[i]!);
    const requires = both(peer, originRequirement([...always, ...triggered.map((t) => t.name)]));
    for (const clause of allOf(triggered.map((t) => t.clauses))) rules.push(rule(clause, requires));
  }
  rules.push(rule([], both(peer, originRequirement(always))));
  return filter(FilterName.jwtAuthn, MessageName.jwtAuthn, { providers, rules });
}

/**
 * request.auth.principal for 1.1 RBAC on a service port (principalBinding): USE_ORIGIN → the
 * origin JWT's iss/sub; USE_PEER (default) → the peer's identity, i.e. its certificate unless the
 * peer is authenticated by JWT only. Undefined when no 1.1 policy applies.
 */
export function v1alpha1RequestPrincipal(
  policies: readonly AuthnPolicyConfig[],
  workload: ServicePortRef,
  o: Pick<V1alpha1AuthnOptions, 'gateway'> = {},
): RequestPrincipalSource | undefined {
  const spec = authnPolicyFor(policies, workload)?.spec;
  if (!spec) return undefined;
  if (spec.principalBinding === 'USE_ORIGIN') return 'jwt';
  const peerJwtOnly = !hasMtlsPeer(spec, o) && (spec.peers ?? []).some((p) => p.jwt);
  return peerJwtOnly ? 'jwt' : 'peer';
}
