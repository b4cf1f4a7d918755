// Istio 1.1's mixer plugin on sidecar inbound HTTP and TCP, as standard Envoy filters: ext_authz whose
// gRPC Authorization service is the control plane's policy engine (reached through the bootstrap
// `xds-grpc` cluster). Added only when a Mixer CHECK rule covers the proxy's namespace, checks are
// not disabled in the mesh or by the pod's `policy.istio.io/check` annotation; it fails closed
// (503, Mixer's UNAVAILABLE) unless policyCheckFailOpen or the annotation says allow-on-error.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { filter, FilterName, MessageName, type EnvoyFilter } from '../../../security/envoy.js';

/** The bootstrap cluster to the control plane. */
const POLICY_CLUSTER = 'xds-grpc';
const ANNOTATION = 'policy.istio.io/check';

function podPolicyAnnotation(proxy: ProxyInfo): string | undefined {
  const direct = proxy.metadata[ANNOTATION];
  const annotations = proxy.metadata.ANNOTATIONS as Record<string, unknown> | undefined;
  const v = direct ?? annotations?.[ANNOTATION];
  return typeof v === 'string' ? v : undefined;
}

/** Whether Mixer checks apply to this proxy, and whether they fail open; undefined when they do not. */
function policyCheck(proxy: ProxyInfo, push: PushContext): { failOpen: boolean } | undefined {
  const scope = push.policyScope;
  if (!scope.has('*') && !scope.has(proxy.namespace)) return undefined;
  const annotation = podPolicyAnnotation(proxy);
  const disabled = annotation === 'disable' || (push.mesh.disablePolicyChecks && annotation === undefined);
  if (disabled) return undefined;
  return {
    failOpen: annotation === 'allow-on-error' || (annotation !== 'enable' && push.mesh.policyCheckFailOpen),
  };
}

const grpcService = {
  grpc_service: { envoy_grpc: { cluster_name: POLICY_CLUSTER }, timeout: { seconds: 2, nanos: 0 } },
  transport_api_version: 'V3',
};

/** Filters to put after the security filters of a sidecar inbound HCM. */
export function policyCheckFilters(proxy: ProxyInfo, push: PushContext): EnvoyFilter[] {
  const check = policyCheck(proxy, push);
  if (!check) return [];
  return [
    filter(FilterName.httpExtAuthz, MessageName.httpExtAuthz, {
      ...grpcService,
      failure_mode_allow: check.failOpen,
      status_on_error: { code: 'ServiceUnavailable' },
    }),
  ];
}

/**
 * The same on a sidecar's inbound TCP chains (Istio 1.1's mixer tcp filter checked each connection
 * as it opened): a denied connection is closed before anything reaches the app.
 */
export function policyCheckNetworkFilters(proxy: ProxyInfo, push: PushContext): EnvoyFilter[] {
  const check = policyCheck(proxy, push);
  if (!check) return [];
  return [
    filter(FilterName.networkExtAuthz, MessageName.networkExtAuthz, {
      stat_prefix: 'mixer',
      ...grpcService,
      failure_mode_allow: check.failOpen,
    }),
  ];
}
