// Host tricks against AuthorizationPolicy hosts/notHosts and VirtualService hosts, through a real
// proxy running the HTTP connection manager the control plane generates, with HTTP/1.1 Host and
// HTTP/2 :authority. As Istio: hosts match case-insensitively (CVE-2021-39155) and a port is part of
// the host, so a rule must name `host:*` to cover it (Istio's documented remedy). Unlike Istio, Weft
// strips a trailing dot first, so `admin.weather.com.` is the same host as `admin.weather.com`.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  generateAll,
  routerProxy,
  setupMesh,
  sidecarProxy,
  type Generated,
} from '../../simulation/harness.js';
import { pods, services } from '../../simulation/weather-fixture.js';
import { indent, request, startProxy, staticCluster, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, tempLog, type CountingUpstream } from './fixtures.js';
import { structToPlain } from '../../../src/proxy/config/proto.js';

type Obj = Record<string, unknown>;
const HCM = 'envoy.filters.network.http_connection_manager';
const HTTPBIN = 'httpbin.weather.svc.cluster.local';
const INBOUND_CLUSTER = `inbound|8000||${HTTPBIN}`;

const policy = (name: string, action: string, to: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: weather }
spec:
  selector: { matchLabels: { app: httpbin } }
  action: ${action}
  rules: [{ to: [{ operation: { ${to} } }] }]`;

function generate(yaml: string, pod: typeof pods.sleep, gateway = false): Generated {
  const push = setupMesh({ services, pods: Object.values(pods), yaml }).push;
  return generateAll(gateway ? routerProxy(pod) : sidecarProxy(pod), push);
}

/** The generated HCM of httpbin's plaintext inbound chain on port 8000. */
function inboundHcm(g: Generated): Obj {
  const inbound = g.listeners.find((l) => l.name === 'virtualInbound')!;
  const chain = (inbound.filter_chains as Obj[]).find((c) => c.name === INBOUND_CLUSTER)!;
  return (chain.filters as Obj[]).find((f) => f.name === HCM)!.typed_config as Obj;
}

/** The generated HCM of a listener's first chain, with the route configuration RDS would serve inline. */
function hcmWithRoutes(g: Generated, listener: string): Obj {
  const l = g.listeners.find((x) => x.name === listener)!;
  const hcm = ((l.filter_chains as Obj[])[0]!.filters as Obj[]).find((f) => f.name === HCM)!
    .typed_config as Obj;
  const { rds, ...rest } = hcm;
  return { ...rest, route_config: g.routes.find((r) => r.name === (rds as Obj).route_config_name)! };
}

const TYPED_STRUCT = 'type.googleapis.com/udpa.type.v1.TypedStruct';

/** Generated config as a bootstrap file spells it: TypedStruct values (Istio's telemetry filters) as plain JSON. */
function bootstrapJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(bootstrapJson);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Obj;
  if (o['@type'] === TYPED_STRUCT) return { ...o, value: structToPlain(o.value) };
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, bootstrapJson(x)]));
}

/** A proxy with one listener "http" running `hcm`, and static clusters name → upstream port. */
function startWith(hcm: Obj, clusters: Record<string, number>): Promise<Running> {
  return startProxy(`
node: {id: test, cluster: test}
static_resources:
  listeners:
  - name: http
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains: [{filters: [{name: ${HCM}, typed_config: ${JSON.stringify(bootstrapJson(hcm))}}]}]
  clusters:
${Object.entries(clusters)
  .map(([name, port]) => indent(staticCluster(`"${name}"`, [port]), 2))
  .join('\n')}
`);
}

interface Reply {
  status: number;
  body: string;
}

const h1 = (port: number, host: string): Promise<Reply> => request(port, '/', { headers: { host } });

function h2(port: number, authority: string): Promise<Reply> {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  return new Promise<Reply>((resolve, reject) => {
    const req = s.request({ ':path': '/', ':authority': authority });
    let status = 0;
    let body = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve({ status, body }));
    req.on('error', reject);
    req.end();
  }).finally(() => s.close());
}

/** An HTTP/1.1 absolute-form request (`GET http://…/ HTTP/1.1`) with its own Host header; the status. */
function absoluteForm(port: number, url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () =>
      sock.write(`GET ${url} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`),
    );
    let head = '';
    sock.on('data', (c: Buffer) => (head += c.toString('latin1')));
    sock.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
    sock.on('error', reject);
  });
}

const CLIENTS = { 'HTTP/1.1': h1, 'HTTP/2': h2 };

/** Every host sent over both protocols answers `status`. */
async function expectStatus(port: number, hosts: string[], status: number): Promise<void> {
  for (const [proto, send] of Object.entries(CLIENTS))
    for (const host of hosts) assert.equal((await send(port, host)).status, status, `${proto} ${host}`);
}

describe('host tricks against AuthorizationPolicy hosts (generated sidecar inbound)', () => {
  let up: CountingUpstream;
  before(async () => (up = await countingUpstream()));
  after(() => up.close());

  async function withPolicy(yaml: string, run: (port: number) => Promise<void>): Promise<void> {
    const px = await startWith(inboundHcm(generate(yaml, pods.httpbinWeather)), {
      [INBOUND_CLUSTER]: up.port,
    });
    try {
      await run(await px.port('http'));
    } finally {
      await px.stop();
    }
  }

  it('translation: hosts and notHosts are case-insensitive :authority matches, the HCM strips a trailing dot and keeps the port', () => {
    const hcm = inboundHcm(
      generate(
        policy('p', 'DENY', 'hosts: [admin.weather.com, "*.internal.weather.com"], notHosts: ["ops.*"]'),
        pods.httpbinWeather,
      ),
    );
    assert.equal(hcm.strip_trailing_host_dot, true);
    assert.equal(hcm.strip_any_host_port, undefined);
    assert.equal(hcm.strip_matching_host_port, undefined);
    const rbac = (hcm.http_filters as Obj[]).find((f) => f.name === 'envoy.filters.http.rbac')!;
    const text = JSON.stringify(rbac);
    for (const m of [
      { exact: 'admin.weather.com', ignore_case: true },
      { suffix: '.internal.weather.com', ignore_case: true },
      { prefix: 'ops.', ignore_case: true },
    ])
      assert.ok(text.includes(JSON.stringify({ name: ':authority', string_match: m })), JSON.stringify(m));
  });

  it('DENY hosts [admin.weather.com]: case and trailing-dot spellings are denied; with a port it is another host', async () => {
    await withPolicy(policy('deny-admin', 'DENY', 'hosts: [admin.weather.com]'), async (port) => {
      const before = up.seen.length;
      await expectStatus(
        port,
        ['admin.weather.com', 'ADMIN.Weather.Com', 'admin.weather.com.', 'Admin.WEATHER.com.'],
        403,
      );
      assert.equal((await h1(port, 'admin.weather.com.')).body, 'RBAC: access denied');
      // Hosts no URL could carry are refused before any rule (HTTP/2's codec already resets them).
      for (const host of ['admin.weather.com/x', 'admin.weather.com x', 'admin.weather.com#x'])
        assert.equal((await h1(port, host)).status, 400, host);
      // An absolute-form target names the host the app acts on, whatever Host says.
      assert.equal(await absoluteForm(port, 'http://ADMIN.weather.com./', 'www.weather.com'), 403);
      assert.equal(up.seen.length, before, 'no denied spelling reached the app');
      // Istio's exact host does not cover a port (a trailing double dot is not a trailing dot).
      await expectStatus(port, ['admin.weather.com:8000', 'admin.weather.com..', 'www.weather.com'], 200);
    });
  });

  it('DENY hosts [admin.weather.com, admin.weather.com:*] also denies every port, dot or not', async () => {
    await withPolicy(
      policy('deny-admin', 'DENY', 'hosts: [admin.weather.com, "admin.weather.com:*"]'),
      async (port) => {
        await expectStatus(
          port,
          ['admin.weather.com:8000', 'ADMIN.weather.com:80', 'admin.weather.com.:8000', 'admin.weather.com.'],
          403,
        );
        await expectStatus(port, ['www.weather.com:8000'], 200);
      },
    );
  });

  it('DENY notHosts [www.weather.com]: only www spellings pass', async () => {
    await withPolicy(policy('only-www', 'DENY', 'notHosts: [www.weather.com]'), async (port) => {
      await expectStatus(port, ['www.weather.com', 'WWW.Weather.COM', 'www.weather.com.'], 200);
      await expectStatus(
        port,
        ['admin.weather.com', 'www.weather.com:8000', 'www.weather.com.evil.com'],
        403,
      );
    });
  });

  it('ALLOW hosts [www.weather.com, *.api.weather.com]: spellings of them pass, everything else fails closed', async () => {
    await withPolicy(
      policy('allow-www', 'ALLOW', 'hosts: [www.weather.com, "*.api.weather.com"]'),
      async (port) => {
        up.seen.length = 0;
        await expectStatus(port, ['www.weather.com', 'WWW.weather.com.', 'v1.API.weather.com.'], 200);
        const stripped = ['www.weather.com', 'WWW.weather.com', 'v1.API.weather.com'];
        assert.deepEqual(
          up.seen.map((r) => r.headers.host),
          [...stripped, ...stripped],
          'the app sees the host without its trailing dot',
        );
        await expectStatus(
          port,
          ['admin.weather.com', 'www.weather.com:8000', 'www.weather.com.evil.com', 'api.weather.com'],
          403,
        );
        assert.equal(await absoluteForm(port, 'http://admin.weather.com/x', 'www.weather.com'), 403);
        assert.equal(await absoluteForm(port, 'http://www.weather.com./x?q=1', 'admin.weather.com'), 200);
        assert.deepEqual(
          [up.seen.at(-1)!.url, up.seen.at(-1)!.headers.host],
          ['/x?q=1', 'www.weather.com'],
          'the app gets origin-form and the URL host',
        );
      },
    );
  });
});

describe('host tricks against VirtualService hosts (generated sidecar outbound)', () => {
  let vs: CountingUpstream;
  let passthrough: CountingUpstream;
  let px: Running;
  let port: number;
  before(async () => {
    vs = await countingUpstream();
    passthrough = await countingUpstream();
    const g = generate(
      `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: httpbin-route, namespace: weather }
spec:
  hosts: [${HTTPBIN}]
  http:
  - headers: { request: { set: { x-routed-by: httpbin-route } } }
    route: [{ destination: { host: ${HTTPBIN} } }]`,
      pods.sleep,
    );
    px = await startWith(hcmWithRoutes(g, '0.0.0.0_8000'), {
      [`outbound|8000||${HTTPBIN}`]: vs.port,
      PassthroughCluster: passthrough.port,
    });
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await vs.close();
    await passthrough.close();
  });

  it('case, trailing dot, any port and short names reach the VirtualService route', async () => {
    const hosts = [
      HTTPBIN,
      'HTTPBIN.Weather.svc.cluster.local',
      `${HTTPBIN}.`,
      `${HTTPBIN}:8000`,
      `${HTTPBIN}.:8000`,
      `${HTTPBIN}:9999`,
      'httpbin.weather.svc.',
      'httpbin.weather:8000',
    ];
    await expectStatus(port, hosts, 200);
    assert.equal(vs.seen.length, hosts.length * 2);
    assert.ok(vs.seen.every((r) => r.headers['x-routed-by'] === 'httpbin-route'));
    assert.equal(passthrough.seen.length, 0, 'no spelling fell through to PassthroughCluster');
  });

  it('a different host is not the VirtualService host', async () => {
    const [routed, passed] = [vs.seen.length, passthrough.seen.length];
    await expectStatus(port, [`${HTTPBIN}.evil.com`, `x${HTTPBIN}`], 200);
    assert.equal(vs.seen.length, routed);
    assert.equal(passthrough.seen.length, passed + 4);
  });
});

describe('host tricks against a Gateway host (generated ingress gateway)', () => {
  it('case, trailing dot and any port reach the www.weather.com route; other hosts get 404', async () => {
    const frontend = await countingUpstream();
    const g = generate(
      `
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: www-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ['weather/www.weather.com'] }]
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: www-route, namespace: weather }
spec:
  hosts: [www.weather.com]
  gateways: [istio-system/www-gateway]
  http: [{ route: [{ destination: { host: frontend } }] }]`,
      pods.ingress,
      true,
    );
    const px = await startWith(hcmWithRoutes(g, '0.0.0.0_8080'), {
      'outbound|3000||frontend.weather.svc.cluster.local': frontend.port,
    });
    try {
      const port = await px.port('http');
      const hosts = ['www.weather.com', 'WWW.Weather.com.', 'www.weather.com:80', 'www.weather.com.:20000'];
      await expectStatus(port, hosts, 200);
      assert.equal(frontend.seen.length, hosts.length * 2);
      await expectStatus(port, ['admin.weather.com', 'www.weather.com..', 'www.weather.com.evil.com'], 404);
    } finally {
      await px.stop();
      await frontend.close();
    }
  });
});

describe('HCM port stripping (Envoy options Istio does not set)', () => {
  const ONLY_A = `
virtual_hosts:
- name: a
  domains: [a.example.com]
  routes: [{match: {prefix: /}, route: {cluster: backend}}]`;

  async function withHcm(hcmExtra: string, run: (port: number, up: CountingUpstream) => Promise<void>) {
    const up = await countingUpstream();
    const px = await startProxy(
      bootstrap({ routes: ONLY_A, hcmExtra, log: tempLog(), clusters: staticCluster('backend', [up.port]) }),
    );
    try {
      await run(await px.port('http'), up);
    } finally {
      await px.stop();
      await up.close();
    }
  }

  it('strip_any_host_port: any port is dropped before routing and upstream', async () => {
    await withHcm('strip_any_host_port: true', async (port, up) => {
      await expectStatus(port, ['a.example.com:1234', 'A.example.com:80'], 200);
      assert.deepEqual(
        up.seen.map((r) => r.headers.host),
        ['a.example.com', 'A.example.com', 'a.example.com', 'A.example.com'],
      );
      await expectStatus(port, ['a.example.com:x'], 404);
    });
  });

  it("strip_matching_host_port: only the listener's own port is dropped", async () => {
    await withHcm('strip_matching_host_port: true', async (port) => {
      await expectStatus(port, [`a.example.com:${port}`], 200);
      await expectStatus(port, [`a.example.com:${port + 1}`], 404);
    });
  });
});
