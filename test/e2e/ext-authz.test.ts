// End to end: AuthorizationPolicy action CUSTOM with the sample's external authorizer
// (samples/weather/install/ext-authz.yaml: allows `x-ext-authz: allow`, and over gRPC callers
// with service account `sleep`; denies the rest with 403), registered as extension providers
// through the istio ConfigMap at runtime. HTTP: httpbin behind the gRPC and the HTTP provider;
// TCP: tcp-echo behind the gRPC provider (network ext_authz), judged by the caller's identity.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import { TestMesh, meshSkipReason, weft } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();

const DENIED = 'denied by ext_authz for not found header `x-ext-authz: allow` in the request';
const PROVIDERS = `apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: |
    extensionProviders:
    - name: ext-authz-grpc
      envoyExtAuthzGrpc:
        service: ext-authz.weather.svc.cluster.local
        port: 9000
    - name: ext-authz-http
      envoyExtAuthzHttp:
        service: ext-authz.weather.svc.cluster.local
        port: 8000
        includeRequestHeadersInCheck: [x-ext-authz]
`;

const httpbinPolicy = (provider: string): string => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: httpbin-ext-authz, namespace: default }
spec:
  selector: { matchLabels: { app: httpbin } }
  action: CUSTOM
  provider: { name: ${provider} }
  rules:
  - to: [{ operation: { paths: [/headers] } }]
`;

const TCP_POLICY = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: tcp-echo-ext-authz, namespace: weather }
spec:
  selector: { matchLabels: { app: tcp-echo } }
  action: CUSTOM
  provider: { name: ext-authz-grpc }
  rules:
  - to: [{ operation: { ports: ["9000"] } }]
`;

before(async () => {
  if (skip) return;
  await mesh.upSample([
    'install/weather-v1.yaml',
    'install/sleep.yaml',
    'install/httpbin.yaml',
    'install/tcp-echo.yaml',
    'install/ext-authz.yaml',
  ]);
  await mesh.apply(PROVIDERS);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

interface Reply {
  status: number;
  body: string;
}

function get(ns: string, deploy: string, requests: { url: string; headers?: Record<string, string> }[]) {
  return mesh.nodeIn<Reply[]>(
    ns,
    deploy,
    `const out = [];
for (const q of ${JSON.stringify(requests)}) {
  try {
    const r = await fetch(q.url, { headers: q.headers ?? {} });
    out.push({ status: r.status, body: await r.text() });
  } catch (e) {
    out.push({ status: 0, body: String(e.cause ?? e) });
  }
}
console.log(JSON.stringify(out));`,
  );
}

const HEADERS = 'http://httpbin.default:8000/headers';
const IP = 'http://httpbin.default:8000/ip';
const ALLOW = { 'x-ext-authz': 'allow' };

test(
  'HTTP, gRPC provider: x-ext-authz: allow → 200, without → 403 with the service body; uncovered paths unchecked',
  { skip },
  async () => {
    await mesh.apply(httpbinPolicy('ext-authz-grpc'));
    try {
      const [allowed, denied, uncovered] = await get('weather', 'frontend-v1', [
        { url: HEADERS, headers: ALLOW },
        { url: HEADERS },
        { url: IP },
      ]);
      assert.equal(allowed!.status, 200, allowed!.body);
      // The service's OK response adds a header on the way to httpbin.
      assert.match(allowed!.body, /"x-ext-authz-check-result":\s*"allowed"/i);
      assert.equal(denied!.status, 403);
      assert.equal(denied!.body, DENIED);
      assert.equal(uncovered!.status, 200);
      // Over gRPC the service sees the caller's mTLS identity: sleep's service account is allowed.
      const [sleep] = await get('default', 'sleep', [{ url: HEADERS }]);
      assert.equal(sleep!.status, 200, sleep!.body);
    } finally {
      await mesh.remove(httpbinPolicy('ext-authz-grpc'));
    }
  },
);

test(
  'HTTP, HTTP provider: the same header decides; the HTTP check sees no identity, so sleep is denied too',
  { skip },
  async () => {
    await mesh.apply(httpbinPolicy('ext-authz-http'));
    try {
      const replies = await get('weather', 'frontend-v1', [
        { url: HEADERS, headers: ALLOW },
        { url: HEADERS },
      ]);
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 403],
      );
      assert.equal(replies[1]!.body, DENIED);
      const [sleep] = await get('default', 'sleep', [{ url: HEADERS }]);
      assert.equal(sleep!.status, 403);
    } finally {
      await mesh.remove(httpbinPolicy('ext-authz-http'));
    }
  },
);

test(
  'TCP, gRPC provider: sleep (allowed service account) gets its echoes; frontend is disconnected unanswered',
  { skip },
  async () => {
    const before = await mesh.tcpEcho('weather', 'frontend-v1', 1);
    assert.match(before[0]!, /^v[12] hello 0\n$/, 'frontend reaches tcp-echo without the policy');
    await mesh.apply(TCP_POLICY);
    try {
      for (const [i, got] of (await mesh.tcpEcho('default', 'sleep', 3)).entries())
        assert.match(got, new RegExp(`^v[12] hello ${i}\\n$`));
      assert.deepEqual(await mesh.tcpEcho('weather', 'frontend-v1', 3), ['', '', '']);
    } finally {
      await mesh.remove(TCP_POLICY);
    }
    assert.match((await mesh.tcpEcho('weather', 'frontend-v1', 1))[0]!, /^v[12] hello 0\n$/);
  },
);

test(
  'a bad mesh config in the ConfigMap is refused with its line; the providers keep working',
  { skip },
  async () => {
    const bad = PROVIDERS.replace('port: 9000', 'port: nine-thousand');
    const r = await weft(['apply', '-f', '-', '--state-dir', mesh.stateDir], bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /<stdin>:10: .*data\.mesh\.extensionProviders\[0\]\.envoyExtAuthzGrpc\.port/);
    await mesh.apply(httpbinPolicy('ext-authz-grpc'));
    try {
      const replies = await get('weather', 'frontend-v1', [
        { url: HEADERS, headers: ALLOW },
        { url: HEADERS },
      ]);
      assert.deepEqual(
        replies.map((x) => x.status),
        [200, 403],
      );
    } finally {
      await mesh.remove(httpbinPolicy('ext-authz-grpc'));
    }
  },
);
