// Istio 1.1 kinds: authentication.istio.io Policy/MeshPolicy and rbac.istio.io ServiceRole,
// ServiceRoleBinding, RbacConfig and ClusterRbacConfig, case by case.
import { runCases, type Case } from './validation-cases.test.js';

const make =
  (apiVersion: string, kind: string) =>
  (name: string, spec: unknown, rest: Partial<Case> = {}): Case => ({
    name,
    apiVersion,
    kind,
    spec,
    ...rest,
  });
const policy = make('authentication.istio.io/v1alpha1', 'Policy');
const meshPolicy = make('authentication.istio.io/v1alpha1', 'MeshPolicy');
const role = make('rbac.istio.io/v1alpha1', 'ServiceRole');
const binding = make('rbac.istio.io/v1alpha1', 'ServiceRoleBinding');
const rbacConfig = make('rbac.istio.io/v1alpha1', 'RbacConfig');
const clusterRbacConfig = make('rbac.istio.io/v1alpha1', 'ClusterRbacConfig');

const jwt = { issuer: 'testing@secure.istio.io', jwksUri: 'https://example.com/jwks.json' };
const getRule = { services: ['products.svc.cluster.local'], methods: ['GET'] };

runCases([
  // Policy / MeshPolicy (the 1.1 documentation's examples and Istio 1.1's rules)
  policy('default', { peers: [{ mtls: {} }] }),
  policy('reviews-jwt', {
    targets: [{ name: 'reviews', ports: [{ number: 9080 }, { name: 'http' }] }],
    peers: [{ mtls: { mode: 'PERMISSIVE' } }],
    origins: [
      {
        jwt: {
          ...jwt,
          triggerRules: [{ excludedPaths: [{ exact: '/health' }, { regex: '^/api/v[0-9]+' }] }],
        },
      },
    ],
    principalBinding: 'USE_ORIGIN',
  }),
  meshPolicy('default', { peers: [{ mtls: { mode: 'STRICT' } }] }),
  // `- mtls:` with no value, as the 1.1 docs wrote it, means mTLS with defaults.
  meshPolicy('default', { peers: [{ mtls: null }], peerIsOptional: false, originIsOptional: true }),
  policy(
    'not-default',
    { peers: [{ mtls: {} }] },
    {
      error: {
        path: 'metadata.name',
        message: 'authentication policy with no target rules must be named "default"',
      },
    },
  ),
  policy(
    'default',
    { targets: [{ name: 'reviews' }] },
    { error: { path: 'spec.targets', message: 'with name "default" must not have any target rules' } },
  ),
  meshPolicy(
    'mesh',
    {},
    {
      error: {
        path: 'metadata.name',
        message: 'cluster-scoped authentication policy name must be "default"',
      },
    },
  ),
  meshPolicy(
    'default',
    { targets: [{ name: 'reviews' }] },
    {
      error: { path: 'spec.targets', message: 'cluster-scoped authentication policy must not have targets' },
    },
  ),
  policy(
    'default',
    { peers: [{ mtls: { mode: 'DISABLE' } }] },
    { error: { path: 'spec.peers[0].mtls.mode', message: 'supported values: "STRICT", "PERMISSIVE"' } },
  ),
  policy(
    'default',
    { origins: [{ jwt: { jwksUri: 'https://example.com/jwks.json' } }] },
    { error: { path: 'spec.origins[0].jwt.issuer', message: 'issuer must be set' } },
  ),
  policy(
    'default',
    { origins: [{ jwt }, { jwt }] },
    {
      error: {
        path: 'spec.origins[1].jwt.issuer',
        message: 'jwt with issuer "testing@secure.istio.io" already defined',
      },
    },
  ),
  policy(
    'default',
    { principalBinding: 'USE_JWT' },
    { error: { path: 'spec.principalBinding', message: 'supported values: "USE_PEER", "USE_ORIGIN"' } },
  ),
  policy(
    'reviews',
    { targets: [{ name: 'Reviews.default' }] },
    {
      error: { path: 'spec.targets[0].name', message: 'target name "Reviews.default" must be a valid label' },
    },
  ),
  policy(
    'reviews',
    { targets: [{ name: 'reviews', ports: [{ number: 70000 }] }] },
    {
      error: {
        path: 'spec.targets[0].ports[0].number',
        message: 'port number 70000 must be in the range 1..65535',
      },
    },
  ),
  policy(
    'reviews',
    { targets: [{ name: 'reviews', ports: [{}] }] },
    { error: { path: 'spec.targets[0].ports[0]', message: 'port selector must set a number or a name' } },
  ),
  policy(
    'default',
    { peers: [{ mtls: {}, jwt }] },
    { error: { path: 'spec.peers[0]', message: 'only one of mtls, jwt may be set' } },
  ),
  policy(
    'default',
    { origins: [{ jwt: { ...jwt, triggerRules: [{ includedPaths: [{ regex: '(' }] }] } }] },
    {
      error: {
        path: 'spec.origins[0].jwt.triggerRules[0].includedPaths[0].regex',
        message: 'invalid regex "("',
      },
    },
  ),
  policy(
    'default',
    { origins: [{ jwt: { ...jwt, jwtHeaders: [''] } }] },
    {
      error: {
        path: 'spec.origins[0].jwt.jwtHeaders[0]',
        message: 'location header must be non-empty string',
      },
    },
  ),

  // ServiceRole
  role('products-viewer', {
    rules: [{ ...getRule, constraints: [{ key: 'destination.labels[version]', values: ['v1', 'v2'] }] }],
  }),
  role('tcp', { rules: [{ services: ['mongodb.default.svc.cluster.local'], ports: [27017] }] }),
  role('empty', {}, { error: { path: 'spec.rules', message: 'at least 1 rule must be specified' } }),
  role(
    'no-services',
    { rules: [{ methods: ['GET'] }] },
    { error: { path: 'spec.rules[0].services', message: 'at least 1 service must be specified' } },
  ),
  role(
    'lower-case-method',
    { rules: [{ ...getRule, methods: ['get'] }] },
    { error: { path: 'spec.rules[0].methods[0]', message: 'method "get" must be upper case' } },
  ),
  role(
    'unknown-constraint',
    { rules: [{ ...getRule, constraints: [{ key: 'destination.label[version]', values: ['v1'] }] }] },
    {
      error: {
        path: 'spec.rules[0].constraints[0].key',
        message: 'unknown constraint key "destination.label[version]"',
      },
    },
  ),
  role(
    'constraint-without-values',
    { rules: [{ ...getRule, constraints: [{ key: 'destination.ip' }] }] },
    { error: { path: 'spec.rules[0].constraints[0].values', message: 'at least 1 value must be specified' } },
  ),
  role(
    'constraint-bad-port',
    { rules: [{ ...getRule, constraints: [{ key: 'destination.port', values: ['http'] }] }] },
    { error: { path: 'spec.rules[0].constraints[0].values[0]', message: 'bad port (http)' } },
  ),
  role(
    'port-zero',
    { rules: [{ ...getRule, ports: [0] }] },
    { error: { path: 'spec.rules[0].ports[0]', message: 'port must be between 1-65535' } },
  ),

  // ServiceRoleBinding
  binding('bind-viewer', {
    subjects: [{ user: '*' }, { properties: { 'source.namespace': 'istio-system' } }, { group: 'admins' }],
    roleRef: { kind: 'ServiceRole', name: 'products-viewer' },
    mode: 'PERMISSIVE',
  }),
  binding(
    'no-role',
    { subjects: [{ user: 'alice' }] },
    { error: { path: 'spec.roleRef', message: 'roleRef must be specified' } },
  ),
  binding(
    'cluster-role',
    { subjects: [{ user: 'alice' }], roleRef: { kind: 'ClusterRole', name: 'x' } },
    { error: { path: 'spec.roleRef.kind', message: 'currently the only supported value is "ServiceRole"' } },
  ),
  binding(
    'unnamed-role',
    { subjects: [{ user: 'alice' }], roleRef: { kind: 'ServiceRole' } },
    { error: { path: 'spec.roleRef.name', message: 'name cannot be empty' } },
  ),
  binding(
    'empty-subject',
    { subjects: [{}], roleRef: { kind: 'ServiceRole', name: 'r' } },
    {
      error: {
        path: 'spec.subjects[0]',
        message: 'at least 1 of user, group or properties must be specified',
      },
    },
  ),
  binding(
    'no-subjects',
    { roleRef: { kind: 'ServiceRole', name: 'r' } },
    { error: { path: 'spec.subjects', message: 'at least 1 subject must be specified' } },
  ),
  binding(
    'bad-mode',
    { subjects: [{ user: 'a' }], roleRef: { kind: 'ServiceRole', name: 'r' }, mode: 'AUDIT' },
    { error: { path: 'spec.mode', message: 'supported values: "ENFORCED", "PERMISSIVE"' } },
  ),

  // RbacConfig / ClusterRbacConfig
  clusterRbacConfig('default', { mode: 'ON_WITH_INCLUSION', inclusion: { namespaces: ['default'] } }),
  rbacConfig('default', { mode: 'ON_WITH_EXCLUSION', exclusion: {}, enforcementMode: 'PERMISSIVE' }),
  clusterRbacConfig(
    'rbac',
    { mode: 'ON' },
    {
      error: {
        path: 'metadata.name',
        message: 'ClusterRbacConfig has invalid name(rbac), name must be "default"',
      },
    },
  ),
  clusterRbacConfig(
    'default',
    { mode: 'ON_WITH_INCLUSION' },
    { error: { path: 'spec.inclusion', message: "inclusion cannot be null (use 'inclusion: {}' for none)" } },
  ),
  rbacConfig(
    'default',
    { mode: 'ON', exclusion: { services: ['a'] } },
    {
      error: {
        path: 'spec.exclusion',
        message: 'exclusion is only used with mode ON_WITH_EXCLUSION, but mode is ON',
      },
    },
  ),
  clusterRbacConfig(
    'default',
    { mode: 'ENABLED' },
    {
      error: {
        path: 'spec.mode',
        message: 'supported values: "OFF", "ON", "ON_WITH_INCLUSION", "ON_WITH_EXCLUSION"',
      },
    },
  ),
]);
