// Registers security.istio.io (PeerAuthentication, RequestAuthentication, AuthorizationPolicy) and
// the Istio 1.1 kinds of authentication.istio.io and rbac.istio.io (see ../registry.ts).
import { registerKind } from '../registry.js';
import { checkMeshPolicy, checkPolicyName, AuthnPolicySpec } from './authn-policy.js';
import { AuthorizationPolicySpec, checkDryRun } from './authorization-policy.js';
import { PeerAuthenticationSpec } from './peer-authentication.js';
import { checkRbacConfigName, RbacConfigSpec, ServiceRoleBindingSpec, ServiceRoleSpec } from './rbac.js';
import { RequestAuthenticationSpec } from './request-authentication.js';

export type { AuthnPolicy } from './authn-policy.js';
export type { AuthorizationPolicy, Rule } from './authorization-policy.js';
export type { PeerAuthentication } from './peer-authentication.js';
export type { RbacConfig, ServiceRole, ServiceRoleBinding } from './rbac.js';
export type { JWTRule, RequestAuthentication } from './request-authentication.js';

const SECURITY = { group: 'security.istio.io', versions: ['v1', 'v1beta1'], namespaced: true } as const;

registerKind({
  ...SECURITY,
  kind: 'PeerAuthentication',
  plural: 'peerauthentications',
  aliases: ['peerauthentication', 'pa'],
  body: { spec: PeerAuthenticationSpec },
});

registerKind({
  ...SECURITY,
  kind: 'RequestAuthentication',
  plural: 'requestauthentications',
  aliases: ['requestauthentication', 'ra'],
  body: { spec: RequestAuthenticationSpec },
});

registerKind({
  ...SECURITY,
  kind: 'AuthorizationPolicy',
  plural: 'authorizationpolicies',
  aliases: ['authorizationpolicy', 'ap'],
  body: { spec: AuthorizationPolicySpec },
  validate: checkDryRun,
});

const AUTHN = { group: 'authentication.istio.io', versions: ['v1alpha1'] } as const;

registerKind({
  ...AUTHN,
  kind: 'Policy',
  plural: 'policies',
  aliases: ['policy'],
  namespaced: true,
  body: { spec: AuthnPolicySpec },
  validate: checkPolicyName,
});

registerKind({
  ...AUTHN,
  kind: 'MeshPolicy',
  plural: 'meshpolicies',
  aliases: ['meshpolicy'],
  namespaced: false,
  body: { spec: AuthnPolicySpec },
  validate: checkMeshPolicy,
});

const RBAC = { group: 'rbac.istio.io', versions: ['v1alpha1'] } as const;

registerKind({
  ...RBAC,
  kind: 'ServiceRole',
  plural: 'serviceroles',
  aliases: ['servicerole'],
  namespaced: true,
  body: { spec: ServiceRoleSpec },
});

registerKind({
  ...RBAC,
  kind: 'ServiceRoleBinding',
  plural: 'servicerolebindings',
  aliases: ['servicerolebinding'],
  namespaced: true,
  body: { spec: ServiceRoleBindingSpec },
});

registerKind({
  ...RBAC,
  kind: 'RbacConfig',
  plural: 'rbacconfigs',
  aliases: ['rbacconfig'],
  namespaced: true,
  body: { spec: RbacConfigSpec },
  validate: checkRbacConfigName,
});

registerKind({
  ...RBAC,
  kind: 'ClusterRbacConfig',
  plural: 'clusterrbacconfigs',
  aliases: ['clusterrbacconfig'],
  namespaced: false,
  body: { spec: RbacConfigSpec },
  validate: checkRbacConfigName,
});
