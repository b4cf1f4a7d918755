// End to end on `weft up --detach` with the weather sample (scenarios.md): traffic management
// (canary by User-Agent at the gateway, circuit breaking, outlier detection, load balancing,
// TCP routing). The mesh comes up once for the file; each test is one scenario against it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntilReady } from '../../src/runtime/mesh.js';
import { SAMPLE, TestMesh, meshSkipReason, weft } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const page = (path = '/'): string => `http://127.0.0.1:${mesh.ingressPort}${path}`;

before(async () => {
  if (skip) return;
  const up = await weft([
    'up',
    '--detach',
    ...mesh.upFlags(),
    '--timeout',
    '180',
    '-f',
    join(SAMPLE, 'install/namespaces.yaml'),
    '-f',
    join(SAMPLE, 'install/weather-v1.yaml'),
    '-f',
    join(SAMPLE, 'install/weather-v2.yaml'),
    '-f',
    join(SAMPLE, 'networking'),
    '--images',
    join(SAMPLE, 'images.yaml'),
  ]);
  if (up.code !== 0) {
    const status = await weft(['status', '--state-dir', mesh.stateDir]);
    throw new Error(`weft up --detach failed (${up.code}):\n${up.stderr}\n${status.stdout}${status.stderr}`);
  }
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

/** `weft apply -f -`, then waits until every rollout is done and every proxy ACKed the result. */
async function apply(yaml: string): Promise<void> {
  const r = await weft(['apply', '-f', '-', '--state-dir', mesh.stateDir], yaml);
  assert.equal(r.code, 0, r.stderr);
  await waitUntilReady(mesh.stateDir, 120_000);
}

function route(host: string, http: string): string {
  return `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: ${host}-route, namespace: weather }
spec:
  hosts: [${host}]
  http:
${http}`;
}

/** A DestinationRule `<host>-dr` with subsets v1/v2 and the given trafficPolicy (flow YAML). */
const rule = (host: string, trafficPolicy: string): string => `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: ${host}-dr, namespace: weather }
spec:
  host: ${host}
  trafficPolicy: ${trafficPolicy}
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }`;

/** A sample Deployment from install/<file> with `replicas: n`. */
function deployment(file: string, name: string, n: number): string {
  const d = readFileSync(join(SAMPLE, 'install', file), 'utf8')
    .split(/^---$/m)
    .find((doc) => /kind: Deployment/.test(doc) && new RegExp(`name: ${name}\\n`).test(doc))!;
  return d.replace(/replicas: \d+/, `replicas: ${n}`);
}

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Runs a command inside a pod of `deploy` (through its sidecar); its stdout. */
async function inPod(deploy: string, argv: string[]): Promise<string> {
  const r = await weft([
    'exec',
    `deploy/${deploy}`,
    '-n',
    'weather',
    '--state-dir',
    mesh.stateDir,
    '--',
    ...argv,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

interface Reply {
  status: number;
  overloaded: string | null;
  body: string;
}

/** `n` GETs of `url` from inside a pod, `c` at a time, each on its own connection. */
async function burst(
  deploy: string,
  url: string,
  n: number,
  c: number,
  headers: Record<string, string> = {},
): Promise<Reply[]> {
  const script = `import http from 'node:http';
const out = [];
let next = 0;
const one = () => new Promise((resolve) => {
  const req = http.get(${JSON.stringify(url)}, { headers: ${JSON.stringify(headers)}, agent: false }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (body += d));
    res.on('end', () => { out.push({ status: res.statusCode, overloaded: res.headers['x-envoy-overloaded'] ?? null, body: body.slice(0, 2000) }); resolve(); });
  });
  req.on('error', (e) => { out.push({ status: 0, overloaded: null, body: String(e) }); resolve(); });
});
async function worker() { while (next < ${n}) { next++; await one(); } }
await Promise.all(Array.from({ length: ${c} }, worker));
console.log(JSON.stringify(out));`;
  return JSON.parse(await inPod(deploy, [process.execPath, '--input-type=module', '-e', script])) as Reply[];
}

/** Pods of a Deployment, by name. */
async function podsOf(deploy: string): Promise<string[]> {
  const r = await weft(['status', '--state-dir', mesh.stateDir, '-o', 'json']);
  const { pods } = JSON.parse(r.stdout) as {
    pods: { name: string; owner: string; status: { terminating?: boolean } }[];
  };
  return pods.filter((p) => p.owner === deploy && !p.status.terminating).map((p) => p.name);
}

/** The proxy's access-log lines of a pod that carry `marker` (a User-Agent the test chose). */
async function accessLog(pod: string, marker: string): Promise<string[]> {
  const r = await weft(['logs', pod, '-n', 'weather', '-c', 'proxy', '--state-dir', mesh.stateDir]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes(`"${marker}"`));
}

/** A counter or gauge of the pod proxy's admin `/stats` (Envoy's text format); 0 when absent. */
async function stat(deploy: string, name: string): Promise<number> {
  const out = await inPod(deploy, ['curl', '-s', 'localhost:15000/stats']);
  const line = out.split('\n').find((l) => l.startsWith(`${name}: `));
  return line ? Number(line.slice(name.length + 2)) : 0;
}

const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36';
const WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

/** The web page through the ingress, `n` times, 8 at a time. */
async function pages(n: number, headers: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const r = await fetch(page('/'), { headers });
      const html = await r.text();
      assert.equal(r.status, 200, html);
      out.push(html);
    }
  };
  await Promise.all(times(8, worker));
  return out;
}
const blue = (html: string): boolean => /data-version="v2"/.test(html) && /class="btn-blue"/.test(html);
const green = (html: string): boolean => /data-version="v1"/.test(html) && /class="btn-green"/.test(html);

// 200 Android pages (3σ ≈ ±10.6%) with a 35–65% band instead of a finer split, for CI time.
test(
  'scenario 06: frontend-route at the gateway: Android gets v1 50 / v2 50 (about half blue), Windows always green',
  { skip },
  async () => {
    await apply(`apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/weather-gateway]
  http:
  - match: [{ headers: { user-agent: { regex: '.*((Android)).*' } } }]
    route:
    - { destination: { host: frontend, subset: v1 }, weight: 50 }
    - { destination: { host: frontend, subset: v2 }, weight: 50 }
  - route: [{ destination: { host: frontend, subset: v1 } }]`);
    const android = await pages(200, { 'user-agent': ANDROID });
    const blues = android.filter(blue).length;
    assert.equal(blues + android.filter(green).length, 200);
    assert.ok(blues >= 70 && blues <= 130, `blue pages for Android: ${blues}/200`);
    const windows = await pages(30, { 'user-agent': WINDOWS });
    assert.equal(windows.filter(green).length, 30);
  },
);

const CB_CLUSTER = 'cluster.outbound|3002||forecast.weather.svc.cluster.local';

test(
  'scenario 20: circuit breaker on forecast: -c 10 -n 100 gets some 503 UO (x-envoy-overloaded), pending overflow counted; -c 1 none',
  { skip },
  async () => {
    await apply(`${rule(
      'forecast',
      '{ connectionPool: { tcp: { maxConnections: 3 }, http: { http1MaxPendingRequests: 5, maxRequestsPerConnection: 1 } } }',
    )}
---
${route('forecast', `  - route: [{ destination: { host: forecast } }]`)}`);
    const url = 'http://forecast:3002/weather?locate=Rome';
    const load = async (c: number, n: number): Promise<Record<string, number>> => {
      const out = await inPod('frontend-v1', [
        process.execPath,
        '--import',
        'tsx',
        join(SAMPLE, 'services/loadclient.ts'),
        '-c',
        String(c),
        '-n',
        String(n),
        '-H',
        `user-agent: scenario-20-c${c}`,
        url,
      ]);
      return (JSON.parse(out) as { codes: Record<string, number> }).codes;
    };
    const before = await stat('frontend-v1', `${CB_CLUSTER}.upstream_rq_pending_overflow`);
    const codes = await load(10, 100);
    assert.ok((codes['503'] ?? 0) > 0, JSON.stringify(codes));
    assert.equal((codes['200'] ?? 0) + (codes['503'] ?? 0), 100, JSON.stringify(codes));
    const overflow = await stat('frontend-v1', `${CB_CLUSTER}.upstream_rq_pending_overflow`);
    assert.ok(overflow > before, `upstream_rq_pending_overflow ${before} → ${overflow}`);
    const [frontend] = await podsOf('frontend-v1');
    const log = await accessLog(frontend!, 'scenario-20-c10');
    assert.equal(log.length, 100);
    assert.equal(log.filter((l) => /" 503 UO /.test(l)).length, codes['503']);
    // The overflowed responses carry x-envoy-overloaded (a few bursts of 10 at once until one overflows).
    let overloaded: Reply | undefined;
    for (let i = 0; i < 5 && !overloaded; i++)
      overloaded = (await burst('frontend-v1', url, 10, 10)).find((r) => r.status === 503);
    assert.ok(overloaded, 'no 503 in five bursts of 10 concurrent requests');
    assert.equal(overloaded.overloaded, 'true', overloaded.body);
    assert.deepEqual(await load(1, 50), { '200': 50 });
  },
);
