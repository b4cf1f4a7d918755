// The security config a push needs, read once from the store (Istio PushContext's AuthorizationPolicies,
// AuthenticationPolicies and the 1.1 RBAC/authn kinds), in the shapes src/security's builders take.
import type { StoredConfig } from '../../../config/store-types.js';
import type {
  AuthnPolicy,
  AuthorizationPolicy,
  PeerAuthentication,
  RbacConfig,
  RequestAuthentication,
  ServiceRole,
  ServiceRoleBinding,
} from '../../../api/security/index.js';
import type {
  AuthnPolicyConfig,
  AuthzPolicyConfig,
  MtlsConfig,
  RbacV1alpha1Config,
  RequestAuthnConfig,
} from '../../../security/index.js';

export interface SecurityPolicies {
  authorization: readonly AuthzPolicyConfig[];
  requestAuthentications: readonly RequestAuthnConfig[];
  /** PeerAuthentication and the 1.1 Policy/MeshPolicy, for the mTLS mode and 1.1 JWT origins. */
  mtls: MtlsConfig & { authnPolicies: readonly AuthnPolicyConfig[] };
  rbacV1alpha1: RbacV1alpha1Config;
}

/** Lists the stored configs of one kind, oldest first (the push context's order). */
export type ListConfigs = (group: string, kind: string) => StoredConfig[];

const SECURITY = 'security.istio.io';
const AUTHN = 'authentication.istio.io';
const RBAC = 'rbac.istio.io';

const ns = (c: StoredConfig): string => c.resource.metadata.namespace ?? 'default';
const name = (c: StoredConfig): string => c.resource.metadata.name ?? '';
const spec = <T>(c: StoredConfig): T => (c.resource.spec ?? {}) as T;

export function collectSecurityPolicies(list: ListConfigs, rootNamespace: string): SecurityPolicies {
  const named = <T>(c: StoredConfig) => ({ name: name(c), namespace: ns(c), spec: spec<T>(c) });
  const rbacConfig = (kind: string): RbacConfig | undefined => {
    const c = list(RBAC, kind).find((x) => name(x) === 'default');
    return c ? spec<RbacConfig>(c) : undefined;
  };
  const clusterRbacConfig = rbacConfig('ClusterRbacConfig');
  const legacyRbacConfig = rbacConfig('RbacConfig');
  return {
    authorization: list(SECURITY, 'AuthorizationPolicy').map((c) => ({
      ...named<AuthorizationPolicy>(c),
      ...(c.resource.metadata.annotations ? { annotations: c.resource.metadata.annotations } : {}),
    })),
    requestAuthentications: list(SECURITY, 'RequestAuthentication').map(named<RequestAuthentication>),
    mtls: {
      rootNamespace,
      peerAuthentications: list(SECURITY, 'PeerAuthentication').map((c) => ({
        ...named<PeerAuthentication>(c),
        creationTime: Date.parse(c.resource.metadata.creationTimestamp ?? '') || Number(c.resourceVersion),
      })),
      authnPolicies: [
        ...list(AUTHN, 'Policy').map((c) => ({ kind: 'Policy' as const, ...named<AuthnPolicy>(c) })),
        ...list(AUTHN, 'MeshPolicy').map((c) => ({
          kind: 'MeshPolicy' as const,
          name: name(c),
          spec: spec<AuthnPolicy>(c),
        })),
      ],
    },
    rbacV1alpha1: {
      ...(clusterRbacConfig ? { clusterRbacConfig } : {}),
      ...(legacyRbacConfig ? { rbacConfig: legacyRbacConfig } : {}),
      roles: list(RBAC, 'ServiceRole').map(named<ServiceRole>),
      bindings: list(RBAC, 'ServiceRoleBinding').map(named<ServiceRoleBinding>),
    },
  };
}
