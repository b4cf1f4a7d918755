// The security translators the xDS generators call: authorization (AuthorizationPolicy and Istio 1.1
// RBAC) → Envoy RBAC / ext_authz filters, authentication (RequestAuthentication) → jwt_authn, and
// the inbound mTLS mode per workload port. Every builder is pure: config in, Envoy filter JSON out
// (proto field names, typed_config as Any JSON), in the order Istio puts them in the HCM:
// CUSTOM (ext_authz) filters, then jwt_authn, then the RBAC filters.
import {
  buildHttpExtAuthzFilters,
  buildHttpRbacFilters,
  type AuthzOptions,
  type AuthzPolicyConfig,
} from './authz/builder.js';
import { buildJwtAuthnFilter, type JwtOptions, type RequestAuthnConfig } from './authn/jwt.js';
import type { EnvoyFilter } from './envoy.js';

export {
  buildHttpExtAuthzFilters,
  buildHttpRbacFilters,
  buildTcpExtAuthzFilters,
  buildTcpRbacFilters,
  type AuthzOptions,
  type AuthzPolicyConfig,
} from './authz/builder.js';
export {
  buildJwtAuthnFilter,
  type JwksFetchMode,
  type JwtOptions,
  type RequestAuthnConfig,
} from './authn/jwt.js';
export {
  buildV1alpha1AuthnFilter,
  v1alpha1RequestPrincipal,
  type RequestPrincipalSource,
  type V1alpha1AuthnOptions,
} from './authn/v1alpha1.js';
export type { ServiceRef } from './cluster-lookup.js';
export { JwksResolver, type JwksResolverOptions } from './jwks-resolver.js';
export { FilterName, MessageName, type EnvoyFilter } from './envoy.js';
export {
  findMtlsConflicts,
  tlsCheck,
  tlsConflict,
  type DestinationRuleTls,
  type MtlsConflict,
  type TlsCheckInput,
  type TlsCheckRow,
  type TlsCheckService,
} from './mtls/conflicts.js';
export {
  mtlsConfigFromResources,
  tlsCheckInputFromResources,
  type FromResourcesOptions,
} from './mtls/from-resources.js';
export {
  authnPolicyFor,
  resolveMtls,
  resolveMtlsMode,
  type AuthnPolicyConfig,
  type InboundPort,
  type MtlsConfig,
  type MtlsDecision,
  type MtlsMode,
  type PeerAuthenticationConfig,
  type ServicePortRef,
} from './mtls/resolve.js';
export {
  buildV1alpha1HttpRbacFilter,
  buildV1alpha1TcpRbacFilter,
  rbacMode,
  type RbacServiceInstance,
  type RbacV1alpha1Config,
  type RbacV1alpha1Options,
} from './rbac-v1alpha1/translate.js';
export { DEFAULT_ROOT_NAMESPACE, selectPolicies, type WorkloadInfo } from './select.js';

/**
 * The security HTTP filters of an inbound HCM, for policies already selected for the workload
 * (selectPolicies): ext_authz pairs for CUSTOM, jwt_authn, then RBAC for AUDIT, DENY and ALLOW.
 */
export function buildInboundHttpSecurityFilters(
  authz: readonly AuthzPolicyConfig[],
  requestAuthns: readonly RequestAuthnConfig[],
  o: AuthzOptions & JwtOptions = {},
): EnvoyFilter[] {
  const jwt = buildJwtAuthnFilter(requestAuthns, o);
  return [...buildHttpExtAuthzFilters(authz, o), ...(jwt ? [jwt] : []), ...buildHttpRbacFilters(authz, o)];
}
