// End to end on `weft up --detach --egress-gateway` (scenarios.md 23–28): mirroring, the outbound
// traffic policy, Sidecar egress scoping, outbound capture exclusions and the egress gateway. The
// "external" host is a sample httpbin in namespace `outside`, which is not injected and has no
// Service: a local process the mesh does not know about until a ServiceEntry registers it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE, TestMesh, eventually, meshSkipReason, weft, type PodInfo, type Run } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const state = ['--state-dir', mesh.stateDir];
const sample = (f: string): string => readFileSync(join(SAMPLE, f), 'utf8');

/** The external httpbin's pod address (port 9090). */
let externalIp = '';
const EXTERNAL_HOST = 'httpbin.external.test';

before(async () => {
  if (skip) return;
  await mesh.upSample(
    ['install/weather-v1.yaml', 'install/weather-v2.yaml', 'install/outside.yaml'],
    ['--egress-gateway'],
  );
  await mesh.apply(sample('install/httpbin.yaml'), 'default');
  await mesh.apply(sample('install/httpbin.yaml'), 'weather');
  await mesh.apply(sample('install/sleep.yaml'), 'default');
  const [ext] = await mesh.pods('external-httpbin');
  externalIp = ext!.ip;
  assert.match(externalIp, /^10\./);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

async function podOf(deploy: string): Promise<PodInfo> {
  const pods = await mesh.pods(deploy);
  assert.equal(pods.length, 1, `${deploy}: ${JSON.stringify(pods)}`);
  return pods[0]!;
}

/** A command run inside the pod of `deploy` (so its traffic goes through the pod's capture). */
function exec(deploy: string, namespace: string, cmd: readonly string[]): Promise<Run> {
  return mesh.execIn(namespace, deploy, cmd);
}

interface Reply {
  status: number;
  body: string;
}

/** curl from inside a pod: the HTTP status (0 when no response came) and the body. */
async function curl(
  deploy: string,
  namespace: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const r = await exec(deploy, namespace, [
    'curl',
    '-s',
    '--max-time',
    '10',
    '-w',
    '\n%{http_code}',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    url,
  ]);
  const i = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(i + 1)) || 0, body: r.stdout.slice(0, Math.max(i, 0)) };
}

/** One Envoy counter from the pod proxy's admin API (0 when absent). */
async function stat(deploy: string, namespace: string, name: string): Promise<number> {
  const r = await exec(deploy, namespace, ['curl', '-s', 'localhost:15000/stats']);
  assert.equal(r.code, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${name}: `));
  return line ? Number(line.slice(name.length + 2)) : 0;
}

/** The User-Agent httpbin's /get saw (its header names keep the case they arrived in). */
function seenUserAgent(body: string): string | undefined {
  const { headers } = JSON.parse(body) as { headers: Record<string, string> };
  return Object.entries(headers).find(([k]) => k.toLowerCase() === 'user-agent')?.[1];
}

test(
  'mesh traffic is mTLS by default (auto mTLS, no DestinationRule tls): httpbin sees the caller in x-forwarded-client-cert',
  { skip },
  async () => {
    const headersSeen = async (url: string): Promise<string | undefined> => {
      const r = await curl('sleep', 'default', url);
      assert.equal(r.status, 200, r.body);
      const { headers } = JSON.parse(r.body) as { headers: Record<string, string> };
      return Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-forwarded-client-cert')?.[1];
    };
    const sleepId = 'spiffe://cluster.local/ns/default/sa/sleep';
    for (const ns of ['default', 'weather']) {
      const xfcc = await headersSeen(`http://httpbin.${ns}:8000/headers`);
      assert.match(
        xfcc ?? '(none)',
        new RegExp(
          `^By=spiffe://cluster\\.local/ns/${ns}/sa/httpbin;Hash=[0-9a-f]{64};Subject="";URI=${sleepId}$`,
        ),
      );
    }
    // Outside the mesh (no sidecar on the server) the request stays plaintext and carries no identity.
    const ext = await curl('sleep', 'default', `http://${externalIp}:9090/headers`);
    assert.equal(ext.status, 200, ext.body);
    assert.doesNotMatch(ext.body, /x-forwarded-client-cert/i);
  },
);

test(
  'scenario 24: forecast-route v1 100% mirrored to v2: no recommendation; v1 and v2 (Host …-shadow) log it; a failing v2 is invisible',
  { skip },
  async () => {
    await mesh.apply(`apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: forecast-route, namespace: weather }
spec:
  hosts: [forecast]
  http:
  - route:
    - { destination: { host: forecast, subset: v1 }, weight: 100 }
    mirror: { host: forecast, subset: v2 }`);
    const v1 = await podOf('forecast-v1');
    const v2 = await podOf('forecast-v2');
    const inbound = (lines: string[], authority: string): string[] =>
      lines.filter((l) => l.includes(`"${authority}"`));

    const ua = { 'user-agent': 'scenario-24a' };
    for (let i = 0; i < 5; i++) {
      const r = await curl('frontend-v1', 'weather', 'http://forecast:3002/weather?locate=Oslo', ua);
      assert.equal(r.status, 200, r.body);
      assert.equal(JSON.parse(r.body).version, 'v1', r.body);
      assert.doesNotMatch(r.body, /recommendation/);
    }
    assert.equal(inbound(await mesh.accessLog(v1, 'scenario-24a'), 'forecast:3002').length, 5);
    const shadowed = await eventually(
      async () => inbound(await mesh.accessLog(v2, 'scenario-24a'), 'forecast-shadow:3002'),
      (l) => l.length >= 5,
    );
    assert.equal(shadowed.length, 5);
    for (const l of shadowed) assert.match(l, /"GET \/weather\?locate=Oslo HTTP\/1.1" 200 /);
    assert.deepEqual(inbound(await mesh.accessLog(v2, 'scenario-24a'), 'forecast:3002'), []);

    // v2 now fails (recommendation aborts, so forecast-v2 answers 500): the client never sees it.
    await mesh.apply(`apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: recommendation-route, namespace: weather }
spec:
  hosts: [recommendation]
  http:
  - fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }
    route: [{ destination: { host: recommendation, subset: v1 } }]`);
    const failing = { 'user-agent': 'scenario-24b' };
    for (let i = 0; i < 5; i++) {
      const r = await curl('frontend-v1', 'weather', 'http://forecast:3002/weather?locate=Rome', failing);
      assert.equal(r.status, 200, r.body);
      assert.equal(JSON.parse(r.body).version, 'v1', r.body);
    }
    const failed = await eventually(
      async () => inbound(await mesh.accessLog(v2, 'scenario-24b'), 'forecast-shadow:3002'),
      (l) => l.length >= 5,
    );
    assert.equal(failed.length, 5);
    for (const l of failed) assert.match(l, /" 500 /);
    assert.equal(inbound(await mesh.accessLog(v1, 'scenario-24b'), 'forecast:3002').length, 5);
  },
);

const externalEntry = (): string => `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: { name: external-httpbin, namespace: default }
spec:
  hosts: [${EXTERNAL_HOST}]
  location: MESH_EXTERNAL
  ports: [{ number: 9090, name: http, protocol: HTTP }]
  resolution: STATIC
  endpoints: [{ address: ${externalIp} }]`;

const registryOnly = `apiVersion: networking.istio.io/v1beta1
kind: Sidecar
metadata: { name: sleep-registry-only, namespace: default }
spec:
  workloadSelector: { labels: { app: sleep } }
  egress: [{ hosts: ['*/*'] }]
  outboundTrafficPolicy: { mode: REGISTRY_ONLY }`;

test(
  'scenario 25: ALLOW_ANY reaches an unregistered host; REGISTRY_ONLY blackholes it until a ServiceEntry registers it',
  { skip },
  async () => {
    const url = `http://${externalIp}:9090/get`;
    const passthrough = 'cluster.PassthroughCluster.upstream_cx_total';
    const blackhole = 'tcp.BlackHoleCluster.downstream_cx_total';

    const before = await stat('sleep', 'default', passthrough);
    const open = await curl('sleep', 'default', url, { 'user-agent': 'scenario-25a' });
    assert.equal(open.status, 200, open.body);
    assert.equal(seenUserAgent(open.body), 'scenario-25a', open.body);
    assert.equal(await stat('sleep', 'default', passthrough), before + 1);

    await mesh.apply(registryOnly);
    try {
      const holes = await stat('sleep', 'default', blackhole);
      const blocked = await curl('sleep', 'default', url, { 'user-agent': 'scenario-25b' });
      assert.notEqual(blocked.status, 200, blocked.body);
      assert.equal(await stat('sleep', 'default', blackhole), holes + 1);

      await mesh.apply(externalEntry());
      const registered = await curl('sleep', 'default', url, {
        'user-agent': 'scenario-25c',
        host: `${EXTERNAL_HOST}:9090`,
      });
      assert.equal(registered.status, 200, registered.body);
      assert.equal(seenUserAgent(registered.body), 'scenario-25c', registered.body);
      const [line] = await mesh.accessLog(await podOf('sleep'), 'scenario-25c');
      assert.match(
        line!,
        new RegExp(`" 200 - .*"${EXTERNAL_HOST}:9090" "${externalIp.replace(/\./g, '\\.')}:9090"`),
      );
      assert.equal(await stat('sleep', 'default', blackhole), holes + 1);
    } finally {
      await mesh.remove(registryOnly);
    }
  },
);

/** Cluster names in `weft proxy-config cluster` of a pod. */
async function clusters(pod: PodInfo): Promise<string> {
  const r = await weft(['proxy-config', 'cluster', pod.name, '-n', pod.namespace, ...state]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test(
  'scenario 23: Sidecar egress default/* and istio-system/* for sleep: httpbin.weather gone, httpbin.default 200',
  { skip },
  async () => {
    const ua = { 'user-agent': 'scenario-23' };
    const sleepPod = await podOf('sleep');
    for (const url of ['http://httpbin:8000/get', 'http://httpbin.weather:8000/get']) {
      const r = await curl('sleep', 'default', url, ua);
      assert.equal(r.status, 200, `${url}: ${r.body}`);
    }
    assert.match(await clusters(sleepPod), /httpbin\.weather\.svc\.cluster\.local/);

    await mesh.apply(`apiVersion: networking.istio.io/v1beta1
kind: Sidecar
metadata: { name: default, namespace: default }
spec:
  workloadSelector: { labels: { app: sleep } }
  egress: [{ hosts: [default/*, istio-system/*] }]`);
    const here = await curl('sleep', 'default', 'http://httpbin:8000/get', ua);
    assert.equal(here.status, 200, here.body);
    const there = await curl('sleep', 'default', 'http://httpbin.weather:8000/get', ua);
    assert.ok(
      [404, 502, 503].includes(there.status),
      `httpbin.weather answered ${there.status}: ${there.body}`,
    );
    const listed = await clusters(sleepPod);
    assert.doesNotMatch(listed, /httpbin\.weather\.svc\.cluster\.local/);
    assert.match(listed, /httpbin\.default\.svc\.cluster\.local/);
    // httpbin.weather saw only the call made before the Sidecar.
    const weatherHttpbin = (await mesh.pods('httpbin-v1')).find((p) => p.namespace === 'weather')!;
    assert.equal((await mesh.accessLog(weatherHttpbin, 'scenario-23')).length, 1);
  },
);

const headerNames = (body: string): string[] =>
  Object.keys((JSON.parse(body) as { headers: Record<string, string> }).headers).map((k) => k.toLowerCase());

test(
  'scenario 27: excludeOutboundIPRanges: traffic to that CIDR bypasses the proxy (no outbound access-log line)',
  { skip },
  async () => {
    await mesh.apply(`${externalEntry()}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: sleep-bypass, namespace: default, labels: { app: sleep-bypass } }
spec:
  replicas: 1
  selector: { matchLabels: { app: sleep-bypass } }
  template:
    metadata:
      labels: { app: sleep-bypass }
      annotations: { traffic.sidecar.istio.io/excludeOutboundIPRanges: "${externalIp}/32" }
    spec:
      serviceAccountName: sleep
      containers:
      - { name: sleep, image: curlimages/curl, imagePullPolicy: IfNotPresent }`);
    const url = `http://${externalIp}:9090/get`;
    const headers = { 'user-agent': 'scenario-27', host: `${EXTERNAL_HOST}:9090` };

    const captured = await curl('sleep', 'default', url, headers);
    assert.equal(captured.status, 200, captured.body);
    assert.ok(headerNames(captured.body).includes('x-request-id'), captured.body);
    assert.equal((await mesh.accessLog(await podOf('sleep'), 'scenario-27')).length, 1);

    const bypass = await podOf('sleep-bypass');
    const direct = await curl('sleep-bypass', 'default', url, headers);
    assert.equal(direct.status, 200, direct.body);
    assert.equal(seenUserAgent(direct.body), 'scenario-27');
    assert.ok(!headerNames(direct.body).includes('x-request-id'), direct.body);
    // Other destinations still go through the proxy.
    const meshed = await curl('sleep-bypass', 'default', 'http://httpbin:8000/get', {
      'user-agent': 'scenario-27',
    });
    assert.equal(meshed.status, 200, meshed.body);
    const lines = await mesh.accessLog(bypass, 'scenario-27');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /"httpbin:8000"/);
  },
);

test(
  'scenario 26: egress gateway: pod → istio-egressgateway → external host through a two-part VirtualService',
  { skip },
  async () => {
    await mesh.apply(`${externalEntry()}
---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: { name: istio-egressgateway, namespace: istio-system }
spec:
  selector: { istio: egressgateway }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: [${EXTERNAL_HOST}]
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: egressgateway-for-external, namespace: default }
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets: [{ name: external }]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: external-through-egress-gateway, namespace: default }
spec:
  hosts: [${EXTERNAL_HOST}]
  gateways: [istio-system/istio-egressgateway, mesh]
  http:
  - match: [{ gateways: [mesh], port: 9090 }]
    route:
    - destination: { host: istio-egressgateway.istio-system.svc.cluster.local, subset: external, port: { number: 80 } }
  - match: [{ gateways: [istio-system/istio-egressgateway], port: 80 }]
    route:
    - destination: { host: ${EXTERNAL_HOST}, port: { number: 9090 } }`);
    const gateway = await podOf('istio-egressgateway');
    const r = await curl('sleep', 'default', `http://${externalIp}:9090/get`, {
      'user-agent': 'scenario-26',
      host: `${EXTERNAL_HOST}:9090`,
    });
    assert.equal(r.status, 200, r.body);
    // The external host saw the egress gateway as its client.
    const { origin } = JSON.parse(r.body) as { origin: string };
    assert.equal(origin.replace(/^::ffff:/, ''), gateway.ip, r.body);
    const out = await mesh.accessLog(await podOf('sleep'), 'scenario-26');
    assert.equal(out.length, 1, out.join('\n'));
    assert.match(out[0]!, new RegExp(`" 200 .*"${EXTERNAL_HOST}:9090" "${gateway.ip}:8080"`));
    const via = await mesh.accessLog(gateway, 'scenario-26');
    assert.equal(via.length, 1, via.join('\n'));
    assert.match(via[0]!, new RegExp(`" 200 .*"${EXTERNAL_HOST}:9090" "${externalIp}:9090"`));
  },
);

const TSX = import.meta.resolve('tsx');

/** The protocol scenario's client (samples/weather/services/protocols-client.ts) run in the sleep pod. */
async function protocolsClient(args: string[]): Promise<Record<string, unknown>> {
  const client = join(SAMPLE, 'services/protocols-client.ts');
  const r = await exec('sleep', 'default', [process.execPath, '--import', TSX, client, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test(
  'scenario 28: port http2 → HTTP/2 upstream, http → HTTP/1.1; gRPC unary and streaming with trailers; WebSocket upgrade',
  { skip },
  async () => {
    await mesh.apply(sample('install/protocols.yaml'), 'default');
    const server = await podOf('protocols-v1');
    for (const [url, marker, version, protocol] of [
      ['http://proto-h2:7070/version', 'scenario-28-h2', '2.0', 'HTTP/2'],
      ['http://proto-h1:7080/version', 'scenario-28-h1', '1.1', 'HTTP/1.1'],
    ] as const) {
      const r = await curl('sleep', 'default', url, { 'user-agent': marker });
      assert.equal(r.status, 200, r.body);
      assert.equal((JSON.parse(r.body) as { httpVersion: string }).httpVersion, version, `${url}: ${r.body}`);
      const inbound = await mesh.accessLog(server, marker);
      assert.equal(inbound.length, 1, inbound.join('\n'));
      assert.ok(inbound[0]!.includes(`"GET /version ${protocol}" 200 `), inbound[0]);
    }

    assert.deepEqual(await protocolsClient(['grpc', 'proto-grpc:7071']), {
      unary: { reply: { message: 'hello', version: 'v1' }, code: 0, trailer: ['unary:hello'] },
      failing: { error: { code: 5, details: 'no such message: fail' }, code: 5, trailer: ['unary:fail'] },
      stream: { messages: ['1', '2', '3', '4', '5'], code: 0, trailer: ['stream:5'] },
    });
    const grpcLines = (await weft(['logs', server.name, '-n', 'default', '-c', 'proxy', ...state])).stdout
      .split('\n')
      .filter((l) => l.includes('/weft.Echo/'));
    assert.equal(grpcLines.length, 3, grpcLines.join('\n'));

    assert.deepEqual(await protocolsClient(['ws', 'proto-h1', '7080']), {
      status: 101,
      acceptOk: true,
      message: 'echo: hello over websocket',
    });
    const upgraded = await mesh.accessLog(server, 'scenario-28-ws');
    assert.equal(upgraded.length, 1, upgraded.join('\n'));
    assert.match(upgraded[0]!, /"GET \/chat HTTP\/1.1" 101 /);
  },
);
