// Security on a sidecar's inbound ports and a gateway's HCMs (Istio plugin/authn and plugin/authz):
// the mTLS mode of a workload port, and the filters src/security builds for the policies that select
// the workload, in Istio's order — HTTP: ext_authz (CUSTOM), jwt_authn, RBAC (AuthorizationPolicy,
// then Istio 1.1 RBAC); TCP: ext_authz, RBAC — ahead of fault/cors/router or tcp_proxy. Istio 1.1
// Policy JWT methods apply where no RequestAuthentication selects the workload.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import {
  buildV1alpha1AuthnFilter,
  buildHttpExtAuthzFilters,
  buildHttpRbacFilters,
  buildJwtAuthnFilter,
  buildTcpExtAuthzFilters,
  buildTcpRbacFilters,
  buildV1alpha1HttpRbacFilter,
  buildV1alpha1TcpRbacFilter,
  resolveMtlsMode,
  selectPolicies,
  type AuthzOptions,
  type EnvoyFilter,
  type JwtOptions,
  type MtlsMode,
  type RbacServiceInstance,
  type WorkloadInfo,
  v1alpha1RequestPrincipal,
} from '../../../security/index.js';

/** The service port behind an inbound port (Istio 1.1 policies and RBAC target services). */
export interface InboundService {
  hostname: string;
  /** Short Kubernetes name. */
  name: string;
  namespace: string;
  port: number;
  portName?: string;
}

export interface PolicyTarget {
  /** The workload port (PeerAuthentication portLevelMtls keys it). */
  port: number;
  service?: InboundService;
}

const workloadOf = (proxy: ProxyInfo): WorkloadInfo => ({ namespace: proxy.namespace, labels: proxy.labels });

export function inboundMtlsMode(proxy: ProxyInfo, push: PushContext, target: PolicyTarget): MtlsMode {
  return resolveMtlsMode(push.security.mtls, workloadOf(proxy), {
    port: target.port,
    ...(target.service ? { service: target.service } : {}),
  });
}

function options(push: PushContext): AuthzOptions & JwtOptions {
  const { mode, resolve } = push.jwks;
  return {
    trustDomain: push.mesh.trustDomain,
    trustDomainAliases: push.mesh.trustDomainAliases,
    extensionProviders: push.mesh.extensionProviders,
    // Services are ServiceRefs as they are: no per-call copy of the registry.
    services: push.services,
    // Without a control-plane JWKS fetcher, the proxy fetches from JWKS servers in the registry.
    jwksFetchMode: mode ?? (resolve ? 'istiod' : 'hybrid'),
    ...(resolve ? { resolveJwks: resolve } : {}),
  };
}

function rbacInstance(proxy: ProxyInfo, s: InboundService): RbacServiceInstance {
  return {
    hostname: s.hostname,
    name: s.name,
    namespace: s.namespace,
    labels: proxy.labels,
    ...(proxy.serviceAccount ? { serviceAccount: proxy.serviceAccount } : {}),
  };
}

/** The policies (of the root or the proxy's namespace) that select the proxy's workload. */
function selected<T extends Parameters<typeof selectPolicies>[0][number]>(
  policies: readonly T[],
  proxy: ProxyInfo,
  push: PushContext,
): T[] {
  return selectPolicies(policies, workloadOf(proxy), push.mesh.rootNamespace);
}

/** HTTP filters that go before fault, cors and router. */
export function httpSecurityFilters(
  proxy: ProxyInfo,
  push: PushContext,
  target?: PolicyTarget,
): EnvoyFilter[] {
  const o = options(push);
  const authz = selected(push.security.authorization, proxy, push);
  const requestAuthns = selected(push.security.requestAuthentications, proxy, push);
  const service = target?.service;
  const legacyAuthn = push.security.mtls.authnPolicies;
  const gateway = { gateway: proxy.type === 'router' };
  // RequestAuthentication replaces the 1.1 Policy's JWT methods when both are present.
  const jwt =
    buildJwtAuthnFilter(requestAuthns, o) ??
    (service ? buildV1alpha1AuthnFilter(legacyAuthn, service, { ...o, ...gateway }) : undefined);
  const requestPrincipal = service && v1alpha1RequestPrincipal(legacyAuthn, service, gateway);
  const v1Rbac =
    service &&
    buildV1alpha1HttpRbacFilter(push.security.rbacV1alpha1, rbacInstance(proxy, service), {
      ...o,
      ...(requestPrincipal ? { requestPrincipal } : {}),
    });
  return [
    ...buildHttpExtAuthzFilters(authz, o),
    ...(jwt ? [jwt] : []),
    ...buildHttpRbacFilters(authz, o),
    ...(v1Rbac ? [v1Rbac] : []),
  ];
}

/** Network filters that go before tcp_proxy. */
export function tcpSecurityFilters(
  proxy: ProxyInfo,
  push: PushContext,
  target?: PolicyTarget,
): EnvoyFilter[] {
  const o = options(push);
  const authz = selected(push.security.authorization, proxy, push);
  const service = target?.service;
  const v1Rbac =
    service && buildV1alpha1TcpRbacFilter(push.security.rbacV1alpha1, rbacInstance(proxy, service), o);
  return [
    ...buildTcpExtAuthzFilters(authz, o),
    ...buildTcpRbacFilters(authz, o),
    ...(v1Rbac ? [v1Rbac] : []),
  ];
}
