import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildInboundHttpSecurityFilters, selectPolicies } from './index.js';

test('inbound HTTP security filters in Istio order: ext_authz, jwt_authn, then RBAC (DENY before ALLOW)', () => {
  const workload = { namespace: 'weather', labels: { app: 'frontend' } };
  const authz = selectPolicies(
    [
      { name: 'allow', namespace: 'weather', spec: { rules: [{}] } },
      { name: 'deny', namespace: 'istio-system', spec: { action: 'DENY' as const, rules: [{}] } },
      {
        name: 'ext',
        namespace: 'weather',
        spec: { action: 'CUSTOM' as const, provider: { name: 'opa' }, rules: [{}] },
      },
      // Not for this workload.
      { name: 'other', namespace: 'weather', spec: { selector: { matchLabels: { app: 'x' } }, rules: [{}] } },
      { name: 'elsewhere', namespace: 'default', spec: { rules: [{}] } },
    ],
    workload,
  );
  assert.deepEqual(
    authz.map((p) => p.name),
    ['deny', 'allow', 'ext'],
  );
  const filters = buildInboundHttpSecurityFilters(
    authz,
    [{ name: 'jwt', namespace: 'weather', spec: { jwtRules: [{ issuer: 'iss', jwks: '{"keys":[]}' }] } }],
    {
      extensionProviders: [
        { name: 'opa', envoyExtAuthzGrpc: { service: 'opa.weather.svc.cluster.local', port: 9191 } },
      ],
      services: [{ hostname: 'opa.weather.svc.cluster.local', namespace: 'weather' }],
    },
  );
  assert.deepEqual(
    filters.map((f) => [f.name, (f.typed_config.rules as { action?: string } | undefined)?.action]),
    [
      ['envoy.filters.http.rbac', undefined],
      ['envoy.filters.http.ext_authz', undefined],
      ['envoy.filters.http.jwt_authn', undefined],
      ['envoy.filters.http.rbac', 'DENY'],
      ['envoy.filters.http.rbac', 'ALLOW'],
    ],
  );
});

test('targetRefs attach to a Kubernetes Gateway workload only', () => {
  const policy = {
    name: 'gw',
    namespace: 'weather',
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ingress' }],
      rules: [{}],
    },
  };
  assert.deepEqual(selectPolicies([policy], { namespace: 'weather', labels: { app: 'frontend' } }), []);
  const gateway = { namespace: 'weather', labels: { 'gateway.networking.k8s.io/gateway-name': 'ingress' } };
  assert.deepEqual(selectPolicies([policy], gateway), [policy]);
  assert.deepEqual(
    selectPolicies([policy], { ...gateway, labels: { 'gateway.networking.k8s.io/gateway-name': 'other' } }),
    [],
  );
});
