// Simulation of ingress gateway config (scenarios 1, 6, 29–31): servers per port, HTTPS by SNI with
// SIMPLE/MUTUAL TLS, httpsRedirect, namespace-scoped hosts and TLS passthrough.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAll, routerProxy, setupMesh } from './harness.js';
import { simulate } from './simulator.js';
import { pods, services, weatherYaml } from './weather-fixture.js';

type Obj = Record<string, unknown>;
const FRONTEND = 'frontend.weather.svc.cluster.local';

function gateway(yaml: string) {
  const m = setupMesh({
    yaml: [weatherYaml(['frontend-route', 'weather-gateway']), yaml].join('\n---\n'),
    services,
    pods: Object.values(pods),
  });
  return generateAll(routerProxy(pods.ingress), m.push);
}

const secureGateway = `
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: weather-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: ['weather/www.weather.com']
    tls: { httpsRedirect: true }
  - port: { number: 443, name: https, protocol: HTTPS }
    hosts: ['weather/www.weather.com']
    tls: { mode: SIMPLE, credentialName: weather-cert }
  - port: { number: 443, name: https-mtls, protocol: HTTPS }
    hosts: ['weather/secure.weather.com']
    tls: { mode: MUTUAL, credentialName: secure-cert }
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: [www.weather.com, secure.weather.com]
  gateways: [istio-system/weather-gateway]
  http:
  - route:
    - destination: { host: frontend, subset: v1 }`;

test('1: the sample gateway routes every host on port 80 (listener on the Service targetPort 8080)', () => {
  const g = gateway(`
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: weather-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: ['*']
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/weather-gateway]
  http:
  - route:
    - destination: { host: frontend, subset: v1 }`);
  assert.deepEqual(
    g.listeners.map((l) => l.name),
    ['0.0.0.0_8080'],
  );
  assert.deepEqual(
    g.clusters.filter((c) => String(c.name).startsWith('inbound')),
    [],
    'gateways have no inbound clusters',
  );
  const r = simulate(g, { mode: 'gateway', port: 8080, host: 'localhost:8080', path: '/' });
  assert.equal(r.routeConfig, 'http.8080');
  assert.equal(r.cluster, `outbound|3000|v1|${FRONTEND}`);
});

test('29/30: HTTPS servers are chosen by SNI, with SIMPLE and MUTUAL TLS contexts', () => {
  const g = gateway(secureGateway);
  const www = simulate(g, {
    mode: 'gateway',
    port: 8443,
    sni: 'www.weather.com',
    transport: 'tls',
    host: 'www.weather.com',
    path: '/',
  });
  assert.equal(www.routeConfig, 'https.8443.https.weather-gateway.istio-system');
  assert.equal(www.cluster, `outbound|3000|v1|${FRONTEND}`);
  const listener = g.listeners.find((l) => l.name === '0.0.0.0_8443')!;
  assert.deepEqual(
    (listener.listener_filters as Obj[]).map((f) => f.name),
    ['envoy.filters.listener.tls_inspector'],
  );
  const [simple, mutual] = (listener.filter_chains as Obj[]).map(
    (c) => (c.transport_socket as Obj).typed_config as Obj,
  );
  const sc = simple!.common_tls_context as Obj;
  assert.equal(
    ((sc.tls_certificate_sds_secret_configs as Obj[])[0] as Obj).name,
    'kubernetes://weather-cert',
  );
  assert.equal(simple!.require_client_certificate, undefined);
  const mc = mutual!.common_tls_context as Obj;
  assert.equal(
    ((mc.combined_validation_context as Obj).validation_context_sds_secret_config as Obj).name,
    'kubernetes://secure-cert-cacert',
  );
  assert.deepEqual(mutual!.require_client_certificate, { value: true });
  const secure = simulate(g, {
    mode: 'gateway',
    port: 8443,
    sni: 'secure.weather.com',
    transport: 'tls',
    host: 'secure.weather.com',
    path: '/',
  });
  assert.equal(secure.routeConfig, 'https.8443.https-mtls.weather-gateway.istio-system');
  assert.equal(
    simulate(g, { mode: 'gateway', port: 8443, sni: 'other.com', transport: 'tls' }).error,
    'no filter chain',
  );
});

test('httpsRedirect makes the plain-HTTP virtual host require TLS', () => {
  const g = gateway(secureGateway);
  const rc = g.routes.find((r) => r.name === 'http.8080')!;
  const vh = (rc.virtual_hosts as Obj[])[0]!;
  assert.equal(vh.require_tls, 'ALL');
  assert.deepEqual(vh.domains, ['www.weather.com']);
  assert.equal(
    simulate(g, { mode: 'gateway', port: 8080, host: 'other.com', path: '/' }).error,
    'no virtual host',
  );
  const bare = gateway(
    secureGateway.replace('hosts: [www.weather.com, secure.weather.com]', 'hosts: [secure.weather.com]'),
  );
  const redirectOnly = (bare.routes.find((r) => r.name === 'http.8080')!.virtual_hosts as Obj[])[0]!;
  assert.deepEqual([redirectOnly.name, redirectOnly.require_tls], ['www.weather.com:8080', 'ALL']);
});

test('a server host limited to another namespace ignores VirtualServices elsewhere', () => {
  const g = gateway(`
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: weather-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: ['default/*']
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/weather-gateway]
  http:
  - route:
    - destination: { host: frontend, subset: v1 }`);
  const rc = g.routes.find((r) => r.name === 'http.8080')!;
  assert.deepEqual(
    (rc.virtual_hosts as Obj[]).map((v) => v.name),
    ['blackhole:8080'],
  );
  assert.equal(simulate(g, { mode: 'gateway', port: 8080, host: 'localhost', path: '/' }).error, 'no route');
});

test('TLS passthrough forwards by SNI to the VirtualService tls route', () => {
  const g = gateway(`
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: weather-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 443, name: tls, protocol: TLS }
    hosts: ['*.weather.com']
    tls: { mode: PASSTHROUGH }
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: [app.weather.com]
  gateways: [istio-system/weather-gateway]
  tls:
  - match: [{ port: 443, sniHosts: [app.weather.com] }]
    route:
    - destination: { host: frontend, port: { number: 3000 } }`);
  const r = simulate(g, { mode: 'gateway', port: 8443, sni: 'app.weather.com', transport: 'tls' });
  assert.equal(r.cluster, `outbound|3000||${FRONTEND}`);
});

test('46: AUTO_PASSTHROUGH routes by the Istio mTLS SNI to SNI-DNAT clusters of sidecar endpoints', () => {
  const m = setupMesh({
    yaml: [
      weatherYaml(['weather-gateway']),
      `
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: cross-network, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 443, name: tls, protocol: TLS }
    hosts: ['*.local']
    tls: { mode: AUTO_PASSTHROUGH }`,
    ].join('\n---\n'),
    services,
    pods: [
      ...Object.values(pods),
      { ...pods.adV2, name: 'advertisement-v2-plain', ip: '10.244.0.99', injected: false },
    ],
  });
  const g = generateAll(routerProxy(pods.ingress), m.push);
  const sni = `outbound_.3003_.v1_.advertisement.weather.svc.cluster.local`;
  const call = {
    mode: 'gateway' as const,
    port: 8443,
    sni,
    transport: 'tls' as const,
    alpn: ['istio-peer-exchange', 'istio'],
  };
  const r = simulate(g, call);
  assert.deepEqual([r.cluster, r.tls], [sni, false], 'TLS passes through untouched');
  assert.equal(
    simulate(g, { ...call, sni: `outbound_.3000_._.${FRONTEND}` }).cluster,
    `outbound_.3000_._.${FRONTEND}`,
  );
  assert.equal(simulate(g, { ...call, alpn: ['h2'] }).error, 'no filter chain', 'only Istio mTLS clients');
  const cluster = g.clusters.find((c) => c.name === sni)!;
  assert.deepEqual(
    [cluster.type, cluster.transport_socket, cluster.transport_socket_matches],
    ['EDS', undefined, undefined],
  );
  const all = g.endpoints.find(
    (e) => e.cluster_name === `outbound_.3003_._.advertisement.weather.svc.cluster.local`,
  )!;
  const addresses = JSON.stringify(all).match(/10\.244\.0\.\d+/g);
  assert.ok(addresses && !addresses.includes('10.244.0.99'), 'endpoints without a sidecar are left out');
  assert.ok(addresses.includes('10.244.0.21'));
});

test('server TLS: versions and cipher suites in Envoy names; ISTIO_MUTUAL uses the mesh identity', () => {
  const g = gateway(
    secureGateway
      .replace(
        'tls: { mode: SIMPLE, credentialName: weather-cert }',
        `tls: { mode: SIMPLE, credentialName: weather-cert, minProtocolVersion: TLSV1_2, maxProtocolVersion: TLSV1_3, cipherSuites: [ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-ECDSA-AES128-GCM-SHA256] }`,
      )
      .replace('tls: { mode: MUTUAL, credentialName: secure-cert }', 'tls: { mode: ISTIO_MUTUAL }'),
  );
  const listener = g.listeners.find((l) => l.name === '0.0.0.0_8443')!;
  const [simple, istio] = (listener.filter_chains as Obj[]).map(
    (c) => ((c.transport_socket as Obj).typed_config as Obj).common_tls_context as Obj,
  );
  assert.deepEqual(simple!.tls_params, {
    tls_minimum_protocol_version: 'TLSv1_2',
    tls_maximum_protocol_version: 'TLSv1_3',
    cipher_suites: ['ECDHE-ECDSA-AES128-GCM-SHA256'],
  });
  assert.equal(istio!.tls_params, undefined);
  assert.equal(((istio!.tls_certificate_sds_secret_configs as Obj[])[0] as Obj).name, 'default');
  assert.equal(
    ((istio!.combined_validation_context as Obj).validation_context_sds_secret_config as Obj).name,
    'ROOTCA',
  );
});
