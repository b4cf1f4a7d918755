// Inbound security on sidecars and gateways (scenarios 34, 37–39): filter chains by the mTLS mode
// the security resolver decides (PeerAuthentication, Istio 1.1 Policy), and the jwt_authn / RBAC
// filters src/security builds for the policies selecting the workload, in Istio's order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAll, routerProxy, setupMesh, sidecarProxy, type PodSpec } from './harness.js';
import { simulate, type Call } from './simulator.js';
import { pods, services, weatherYaml } from './weather-fixture.js';

type Obj = Record<string, unknown>;
const AD = 'advertisement.weather.svc.cluster.local';
const ECHO = 'tcp-echo.weather.svc.cluster.local';

function inbound(pod: PodSpec, yaml: string) {
  const m = setupMesh({ yaml: [weatherYaml(), yaml].join('\n---\n'), services, pods: Object.values(pods) });
  return generateAll(sidecarProxy({ ...pod, serviceAccount: 'advertisement' }), m.push);
}

const plaintext: Call = { mode: 'inbound', port: 3003, transport: 'raw_buffer', host: 'ad', path: '/ad' };
const meshTls: Call = { ...plaintext, transport: 'tls', alpn: ['istio-peer-exchange', 'istio'] };
const appTls: Call = { ...plaintext, transport: 'tls', alpn: ['h2'] };

function mtlsContext(g: ReturnType<typeof inbound>): Obj {
  const vi = g.listeners.find((l) => l.name === 'virtualInbound')!;
  const chain = (vi.filter_chains as Obj[]).find((c) => c.name === `inbound|3003||${AD}-mtls`)!;
  return (chain.transport_socket as Obj).typed_config as Obj;
}

const peerAuth = (mode: string, selector = '  selector: { matchLabels: { app: advertisement } }\n') => `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: ad-mtls, namespace: weather }
spec:
${selector}  mtls: { mode: ${mode} }`;

describe('34: inbound chains by mTLS mode', () => {
  test('PERMISSIVE (the default) accepts mesh mTLS and plaintext; mTLS requires a ROOTCA client cert', () => {
    const g = inbound(pods.adV1, '');
    const tls = simulate(g, meshTls);
    assert.equal(tls.filterChain, `inbound|3003||${AD}-mtls`);
    assert.equal(tls.tls, true);
    assert.equal(tls.cluster, `inbound|3003||${AD}`);
    const plain = simulate(g, plaintext);
    assert.deepEqual(
      [plain.filterChain, plain.tls, plain.cluster],
      [`inbound|3003||${AD}`, false, `inbound|3003||${AD}`],
    );
    const ctx = mtlsContext(g);
    const common = ctx.common_tls_context as Obj;
    assert.deepEqual(ctx.require_client_certificate, { value: true });
    assert.equal(((common.tls_certificate_sds_secret_configs as Obj[])[0] as Obj).name, 'default');
    assert.equal(
      ((common.combined_validation_context as Obj).validation_context_sds_secret_config as Obj).name,
      'ROOTCA',
    );
    const vi = g.listeners.find((l) => l.name === 'virtualInbound')!;
    assert.ok((vi.listener_filters as Obj[]).some((f) => f.name === 'envoy.filters.listener.tls_inspector'));
  });

  test('STRICT (PeerAuthentication) has only the TLS chain: a plaintext caller finds no chain', () => {
    const g = inbound(pods.adV1, peerAuth('STRICT'));
    assert.equal(simulate(g, plaintext).error, 'no filter chain');
    assert.equal(simulate(g, meshTls).filterChain, `inbound|3003||${AD}-mtls`);
    // Other workloads in the namespace keep the default.
    const other = inbound(pods.forecastV1, peerAuth('STRICT'));
    assert.equal(
      simulate(other, { ...plaintext, port: 3002 }).cluster,
      'inbound|3002||forecast.weather.svc.cluster.local',
    );
  });

  test('STRICT and PERMISSIVE from an Istio 1.1 Policy with peers mtls', () => {
    const policy = (mtls: string) => `
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: ad-policy, namespace: weather }
spec:
  targets: [{ name: advertisement }]
  peers: [{ mtls: ${mtls} }]`;
    assert.equal(simulate(inbound(pods.adV1, policy('{}')), plaintext).error, 'no filter chain');
    const permissive = inbound(pods.adV1, policy('{ mode: PERMISSIVE }'));
    assert.equal(simulate(permissive, plaintext).cluster, `inbound|3003||${AD}`);
    assert.equal(simulate(permissive, meshTls).tls, true);
  });

  test('DISABLE serves plaintext only', () => {
    const g = inbound(pods.adV1, peerAuth('DISABLE', ''));
    assert.equal(simulate(g, plaintext).tls, false);
    assert.equal(simulate(g, meshTls).error, 'no filter chain');
  });

  test('a PERMISSIVE TCP port passes the app’s own TLS through without terminating it', () => {
    const g = inbound(pods.tcpEchoV1, '');
    const call: Call = { mode: 'inbound', port: 9000, protocol: 'tcp' };
    const app = simulate(g, { ...call, transport: 'tls', alpn: ['h2'] });
    assert.deepEqual(
      [app.filterChain, app.tls, app.cluster],
      [`inbound|9000||${ECHO}-tls`, false, `inbound|9000||${ECHO}`],
    );
    assert.equal(simulate(g, { ...call, transport: 'tls', alpn: ['istio-peer-exchange'] }).tls, true);
    assert.equal(simulate(g, { ...call, transport: 'raw_buffer' }).tls, false);
    // HTTP ports have no such chain: one-way TLS to an HTTP port is not in Istio's permissive set.
    assert.equal(simulate(inbound(pods.adV1, ''), appTls).error, 'no filter chain');
  });
});

const filterConfig = (g: ReturnType<typeof inbound>, name: string, index = 0): Obj => {
  const vi = g.listeners.find((l) => l.name === 'virtualInbound')!;
  const chain = (vi.filter_chains as Obj[]).find((c) => c.name === `inbound|3003||${AD}`)!;
  const hcm = ((chain.filters as Obj[])[0] as Obj).typed_config as Obj;
  return ((hcm.http_filters as Obj[]).filter((f) => f.name === name)[index] as Obj).typed_config as Obj;
};

describe('37–39: authorization and authentication filters', () => {
  test('no policies: metadata exchange, fault, cors, stats, router only', () => {
    assert.deepEqual(simulate(inbound(pods.adV1, ''), plaintext).httpFilters, [
      'istio.metadata_exchange',
      'envoy.filters.http.fault',
      'envoy.filters.http.cors',
      'istio.stats',
      'envoy.filters.http.router',
    ]);
  });

  test('38: AuthorizationPolicy DENY and ALLOW become RBAC filters after metadata exchange, before fault/cors/stats/router, on both chains', () => {
    const g = inbound(
      pods.adV1,
      `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: ad-viewer, namespace: weather }
spec:
  selector: { matchLabels: { app: advertisement } }
  rules:
  - from: [{ source: { namespaces: [weather, istio-system] } }]
    to: [{ operation: { methods: [GET] } }]
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: no-admin, namespace: weather }
spec:
  action: DENY
  rules: [{ to: [{ operation: { paths: [/admin] } }] }]`,
    );
    const expected = [
      'istio.metadata_exchange',
      'envoy.filters.http.rbac',
      'envoy.filters.http.rbac',
      'envoy.filters.http.fault',
      'envoy.filters.http.cors',
      'istio.stats',
      'envoy.filters.http.router',
    ];
    assert.deepEqual(simulate(g, plaintext).httpFilters, expected);
    assert.deepEqual(simulate(g, meshTls).httpFilters, expected);
    const deny = filterConfig(g, 'envoy.filters.http.rbac', 0).rules as Obj;
    const allow = filterConfig(g, 'envoy.filters.http.rbac', 1).rules as Obj;
    assert.equal(deny.action, 'DENY');
    assert.deepEqual(Object.keys(deny.policies as Obj), ['ns[weather]-policy[no-admin]-rule[0]']);
    assert.equal(allow.action, 'ALLOW');
    assert.match(JSON.stringify(allow.policies), /istio-system/);
    // Not selected: forecast has no ALLOW filter, only the namespace-wide DENY.
    const forecast = inbound(pods.forecastV1, '');
    assert.ok(
      !simulate(forecast, { ...plaintext, port: 3002 }).httpFilters!.includes('envoy.filters.http.rbac'),
    );
  });

  test('TCP ports get network RBAC before tcp_proxy', () => {
    const g = inbound(
      pods.tcpEchoV1,
      `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: echo, namespace: weather }
spec:
  selector: { matchLabels: { app: tcp-echo } }
  rules: [{ from: [{ source: { principals: [cluster.local/ns/weather/sa/frontend] } }] }]`,
    );
    const r = simulate(g, { mode: 'inbound', port: 9000, transport: 'raw_buffer' });
    assert.deepEqual(r.networkFilters, [
      'envoy.filters.network.rbac',
      'istio.stats',
      'envoy.filters.network.tcp_proxy',
    ]);
  });

  test('37: Istio 1.1 RBAC (ClusterRbacConfig ON_WITH_INCLUSION, ServiceRole + binding) is enforced per service', () => {
    const rbac = `
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: { name: default }
spec:
  mode: ON_WITH_INCLUSION
  inclusion: { namespaces: [weather] }`;
    const none = inbound(pods.adV1, rbac);
    const rules = filterConfig(none, 'envoy.filters.http.rbac').rules as Obj;
    assert.deepEqual([rules.action, rules.policies ?? {}], ['ALLOW', {}], 'no roles: everything denied');
    const withRole = inbound(
      pods.adV1,
      `${rbac}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: { name: weather-viewer, namespace: weather }
spec:
  rules: [{ services: ['*'], methods: [GET] }]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: { name: bind-viewer, namespace: weather }
spec:
  subjects: [{ properties: { source.namespace: weather } }, { properties: { source.namespace: istio-system } }]
  roleRef: { kind: ServiceRole, name: weather-viewer }`,
    );
    const policies = (filterConfig(withRole, 'envoy.filters.http.rbac').rules as Obj).policies as Obj;
    assert.deepEqual(Object.keys(policies), ['weather-viewer']);
  });

  test('39: RequestAuthentication puts jwt_authn before RBAC, with a provider per issuer', () => {
    const g = inbound(
      pods.adV1,
      `
apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata: { name: jwt, namespace: weather }
spec:
  selector: { matchLabels: { app: advertisement } }
  jwtRules: [{ issuer: testing@secure.istio.io, jwks: '{"keys":[]}' }]
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: require-jwt, namespace: weather }
spec:
  selector: { matchLabels: { app: advertisement } }
  rules: [{ from: [{ source: { requestPrincipals: ['testing@secure.istio.io/*'] } }] }]`,
    );
    assert.deepEqual(simulate(g, plaintext).httpFilters!.slice(1, 3), [
      'envoy.filters.http.jwt_authn',
      'envoy.filters.http.rbac',
    ]);
    const jwt = filterConfig(g, 'envoy.filters.http.jwt_authn');
    assert.equal(((jwt.providers as Obj)['origins-0'] as Obj).issuer, 'testing@secure.istio.io');
  });

  test('Istio 1.1 Policy origins require a valid token unless originIsOptional', () => {
    const policy = (optional: boolean) => `
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: ad-jwt, namespace: weather }
spec:
  targets: [{ name: advertisement }]
  origins: [{ jwt: { issuer: testing@secure.istio.io, jwksUri: 'http://jwks.weather.svc.cluster.local:8000/jwks' } }]
  originIsOptional: ${optional}
  principalBinding: USE_ORIGIN`;
    const strict = filterConfig(inbound(pods.adV1, policy(false)), 'envoy.filters.http.jwt_authn');
    assert.deepEqual((strict.rules as Obj[])[0], {
      match: { prefix: '/' },
      requires: { provider_name: 'origins-0' },
    });
    const optional = filterConfig(inbound(pods.adV1, policy(true)), 'envoy.filters.http.jwt_authn');
    assert.match(JSON.stringify(optional.rules), /allow_missing/);
  });

  test('policies selecting the ingress gateway apply to its HCMs', () => {
    const m = setupMesh({
      yaml: [
        weatherYaml(),
        `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: ingress, namespace: istio-system }
spec:
  selector: { matchLabels: { istio: ingressgateway } }
  action: DENY
  rules: [{ to: [{ operation: { paths: [/private] } }] }]`,
      ].join('\n---\n'),
      services,
      pods: Object.values(pods),
    });
    const g = generateAll(routerProxy(pods.ingress), m.push);
    assert.deepEqual(simulate(g, { mode: 'gateway', port: 8080, host: 'x', path: '/' }).httpFilters, [
      'istio.metadata_exchange',
      'envoy.filters.http.rbac',
      'envoy.filters.http.fault',
      'envoy.filters.http.cors',
      'istio.stats',
      'envoy.filters.http.router',
    ]);
  });
});
