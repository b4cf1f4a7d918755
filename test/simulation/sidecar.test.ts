// Simulation of a sidecar's capture listeners: inbound chains per port with PeerAuthentication modes,
// Sidecar ingress and egress listeners (port, bind, captureMode), outbound TCP/TLS routes, access
// logs and the passthrough chains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAll, setupMesh, sidecarProxy } from './harness.js';
import { simulate } from './simulator.js';
import { pods, services, VIPS, weatherYaml } from './weather-fixture.js';
import type { MeshConfigInput } from '../../src/xds/generators/mesh.js';

type Obj = Record<string, unknown>;
const AD = 'advertisement.weather.svc.cluster.local';
const ECHO = 'tcp-echo.weather.svc.cluster.local';

function sidecar(yaml: string, pod = pods.adV1, mesh: Partial<MeshConfigInput> = {}) {
  const m = setupMesh({
    yaml: [weatherYaml(), yaml].join('\n---\n'),
    services,
    pods: Object.values(pods),
    mesh,
  });
  return generateAll(sidecarProxy(pod), m.push);
}

test('inbound: mTLS and plaintext chains per port under PERMISSIVE, to inbound|3003||host', () => {
  const g = sidecar('');
  const inbound = g.clusters.find((c) => c.name === `inbound|3003||${AD}`)!;
  assert.equal(inbound.type, 'STATIC');
  const ep = (((inbound.load_assignment as Obj).endpoints as Obj[])[0]!.lb_endpoints as Obj[])[0]!;
  assert.deepEqual(((ep.endpoint as Obj).address as Obj).socket_address, {
    address: '127.0.0.1',
    port_value: 3003,
  });
  const plain = simulate(g, {
    mode: 'inbound',
    address: pods.adV1.ip,
    port: 3003,
    host: 'advertisement:3003',
    path: '/ad',
  });
  assert.equal(plain.filterChain, `inbound|3003||${AD}`);
  assert.equal(plain.cluster, `inbound|3003||${AD}`);
  const mtls = simulate(g, {
    mode: 'inbound',
    address: pods.adV1.ip,
    port: 3003,
    transport: 'tls',
    alpn: ['istio-peer-exchange', 'istio'],
    host: 'advertisement',
    path: '/ad',
  });
  assert.equal(mtls.filterChain, `inbound|3003||${AD}-mtls`);
  const other = simulate(g, { mode: 'inbound', address: pods.adV1.ip, port: 9999, protocol: 'tcp' });
  assert.equal(other.cluster, 'InboundPassthroughClusterIpv4');
});

test('34: PeerAuthentication STRICT drops the plaintext chain; DISABLE drops the mTLS one', () => {
  const strict = sidecar(`
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: ad, namespace: weather }
spec:
  selector: { matchLabels: { app: advertisement } }
  mtls: { mode: STRICT }`);
  const plain = simulate(strict, {
    mode: 'inbound',
    address: pods.adV1.ip,
    port: 3003,
    host: 'advertisement',
    path: '/',
  });
  // Envoy narrows to the port's chains first, so plaintext finds none and the connection is closed.
  assert.equal(plain.error, 'no filter chain');
  const disabled = sidecar(`
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec:
  mtls: { mode: DISABLE }`);
  const vi = disabled.listeners.find((l) => l.name === 'virtualInbound')!;
  assert.ok(!(vi.filter_chains as Obj[]).some((c) => String(c.name).endsWith('-mtls')));
});

test('Sidecar ingress listeners replace the service ports inbound', () => {
  const g = sidecar(`
apiVersion: networking.istio.io/v1alpha3
kind: Sidecar
metadata: { name: ad, namespace: weather }
spec:
  workloadSelector: { labels: { app: advertisement } }
  ingress:
  - port: { number: 3003, protocol: HTTP, name: http }
    defaultEndpoint: 127.0.0.1:8080`);
  const inbound = g.clusters.find((c) => c.name === `inbound|3003||${AD}`)!;
  const ep = (((inbound.load_assignment as Obj).endpoints as Obj[])[0]!.lb_endpoints as Obj[])[0]!;
  assert.deepEqual(((ep.endpoint as Obj).address as Obj).socket_address, {
    address: '127.0.0.1',
    port_value: 8080,
  });
  // Traffic arrives on the listener's port and is delivered to the default endpoint.
  const r = simulate(g, { mode: 'inbound', port: 3003, host: 'advertisement', path: '/' });
  assert.equal(r.cluster, `inbound|3003||${AD}`);
  assert.equal(
    simulate(g, { mode: 'inbound', port: 8080, host: 'advertisement' }).filterChain,
    'PassthroughFilterChain',
  );
});

test('outbound TCP: a VIP listener with a weighted tcp route; TLS routes by SNI', () => {
  const g = sidecar(
    `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: tcp-echo, namespace: weather }
spec:
  hosts: [tcp-echo]
  tcp:
  - match: [{ port: 9000, destinationSubnets: [10.96.1.5/32] }]
    route:
    - destination: { host: tcp-echo, subset: v1 }
      weight: 80
    - destination: { host: tcp-echo, subset: v2 }
      weight: 20`,
    pods.frontendV1,
  );
  const r = simulate(g, { address: VIPS.tcpEcho, port: 9000, protocol: 'tcp' });
  assert.equal(r.listener, `${VIPS.tcpEcho}_9000`);
  assert.deepEqual(r.weightedClusters, [
    { name: `outbound|9000|v1|${ECHO}`, weight: 80 },
    { name: `outbound|9000|v2|${ECHO}`, weight: 20 },
  ]);
  const plain = sidecar('', pods.frontendV1);
  assert.equal(
    simulate(plain, { address: VIPS.tcpEcho, port: 9000, protocol: 'tcp' }).cluster,
    `outbound|9000||${ECHO}`,
  );

  const tls = sidecar(
    `
apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata: { name: external-tls, namespace: weather }
spec:
  hosts: [api.example.com, www.example.com]
  ports: [{ number: 443, name: tls, protocol: TLS }]
  location: MESH_EXTERNAL
  resolution: DNS
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: tls-split, namespace: weather }
spec:
  hosts: [api.example.com]
  tls:
  - match: [{ port: 443, sniHosts: [api.example.com] }]
    route:
    - destination: { host: www.example.com }`,
    pods.frontendV1,
  );
  const hit = simulate(tls, { address: '192.0.2.10', port: 443, sni: 'api.example.com', transport: 'tls' });
  assert.equal(hit.listener, '0.0.0.0_443');
  assert.equal(hit.cluster, 'outbound|443||www.example.com');
});

test("meshConfig accessLogFile adds a file access log with Envoy's default format", () => {
  const g = sidecar('', pods.frontendV1, { accessLogFile: '/dev/stdout' });
  const hcm = (
    (g.listeners.find((l) => l.name === '0.0.0.0_3002')!.filter_chains as Obj[])[0]!.filters as Obj[]
  )[0]!.typed_config as Obj;
  assert.deepEqual(hcm.access_log, [
    {
      name: 'envoy.access_loggers.file',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
        path: '/dev/stdout',
      },
    },
  ]);
  assert.deepEqual(
    (hcm.http_filters as Obj[]).map((f) => f.name),
    [
      'istio.metadata_exchange',
      'envoy.filters.http.fault',
      'envoy.filters.http.cors',
      'istio.stats',
      'envoy.filters.http.router',
    ],
  );
});

test('virtual host domains: every name of the service without ports, short name only from its namespace', () => {
  const domains = (pod: typeof pods.frontendV1): string[] => {
    const g = sidecar('', pod);
    const rc = g.routes.find((r) => r.name === '3003')!;
    return (rc.virtual_hosts as Obj[]).find((v) => v.name === `${AD}:3003`)!.domains as string[];
  };
  assert.deepEqual(domains(pods.frontendV1), [
    AD,
    'advertisement.weather.svc',
    'advertisement.weather',
    'advertisement',
    VIPS.advertisement,
  ]);
  assert.ok(!domains(pods.sleep).includes('advertisement'));
});

test('Sidecar egress listeners: a port owns its hosts, bind sets the address, captureMode NONE binds', () => {
  const g = sidecar(
    `
apiVersion: networking.istio.io/v1alpha3
kind: Sidecar
metadata: { name: frontend, namespace: weather }
spec:
  workloadSelector: { labels: { app: frontend } }
  egress:
  - port: { number: 3003, protocol: HTTP, name: http-ad }
    bind: 127.0.0.1
    captureMode: NONE
    hosts: [./advertisement.weather.svc.cluster.local]
  - hosts: [./*]`,
    pods.frontendV1,
  );
  const bound = g.listeners.find((l) => l.name === '127.0.0.1_3003')!;
  assert.equal(bound.bind_to_port, undefined, 'captureMode NONE binds a real socket');
  assert.equal(
    g.listeners.find((l) => l.name === '0.0.0.0_3003'),
    undefined,
    'the port belongs to its egress listener',
  );
  assert.deepEqual(g.listeners.find((l) => l.name === '0.0.0.0_3002')!.bind_to_port, { value: false });
  const r = simulate(g, {
    address: '127.0.0.1',
    port: 3003,
    host: 'advertisement.weather.svc.cluster.local',
  });
  assert.deepEqual(
    [r.listener, r.routeConfig, r.cluster],
    ['127.0.0.1_3003', '3003', `outbound|3003||${AD}`],
  );
  // Route 3003 serves only the egress listener's hosts.
  const rc = g.routes.find((x) => x.name === '3003')!;
  assert.deepEqual(
    (rc.virtual_hosts as Obj[]).map((v) => v.name),
    [`${AD}:3003`, 'allow_any'],
  );
});

test('Sidecar egress listeners without a catch-all expose only their ports', () => {
  const g = sidecar(
    `
apiVersion: networking.istio.io/v1alpha3
kind: Sidecar
metadata: { name: frontend, namespace: weather }
spec:
  workloadSelector: { labels: { app: frontend } }
  egress:
  - port: { number: 9000, protocol: TCP, name: tcp-echo }
    hosts: [./tcp-echo.weather.svc.cluster.local]`,
    pods.frontendV1,
  );
  assert.deepEqual(
    g.listeners.map((l) => l.name).filter((n) => n !== 'virtualOutbound' && n !== 'virtualInbound'),
    [`${VIPS.tcpEcho}_9000`],
  );
  assert.equal(
    simulate(g, { address: VIPS.tcpEcho, port: 9000, protocol: 'tcp' }).cluster,
    `outbound|9000||${ECHO}`,
  );
});
