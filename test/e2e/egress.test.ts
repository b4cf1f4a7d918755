// End to end on `weft up --detach --egress-gateway` (scenarios.md 23–28): mirroring, the outbound
// traffic policy, Sidecar egress scoping, outbound capture exclusions and the egress gateway. The
// "external" host is a sample httpbin in namespace `outside`, which is not injected and has no
// Service: a local process the mesh does not know about until a ServiceEntry registers it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntilReady } from '../../src/runtime/mesh.js';
import { SAMPLE, TestMesh, meshSkipReason, sleep, weft, type Run } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const state = ['--state-dir', mesh.stateDir];
const sample = (f: string): string => readFileSync(join(SAMPLE, f), 'utf8');

/** The external httpbin's pod address (port 9090). */
let externalIp = '';

before(async () => {
  if (skip) return;
  const up = await weft([
    'up',
    '--detach',
    '--egress-gateway',
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
    join(SAMPLE, 'install/outside.yaml'),
    '-f',
    join(SAMPLE, 'networking'),
    '--images',
    join(SAMPLE, 'images.yaml'),
  ]);
  if (up.code !== 0) {
    const status = await weft(['status', ...state]);
    throw new Error(`weft up --detach failed (${up.code}):\n${up.stderr}\n${status.stdout}${status.stderr}`);
  }
  await apply(sample('install/httpbin.yaml'), 'default');
  await apply(sample('install/httpbin.yaml'), 'weather');
  await apply(sample('install/sleep.yaml'), 'default');
  const [ext] = await podsOf('external-httpbin');
  externalIp = ext!.ip;
  assert.match(externalIp, /^10\./);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

/** `weft apply -f -`, then waits until every rollout is done and every proxy ACKed the result. */
async function apply(yaml: string, namespace?: string): Promise<void> {
  const r = await weft(['apply', '-f', '-', ...state, ...(namespace ? ['-n', namespace] : [])], yaml);
  assert.equal(r.code, 0, r.stderr);
  await waitUntilReady(mesh.stateDir, 120_000);
}

interface PodInfo {
  name: string;
  namespace: string;
  ip: string;
}

/** Live pods of a Deployment. */
async function podsOf(deploy: string): Promise<PodInfo[]> {
  const r = await weft(['status', ...state, '-o', 'json']);
  const { pods } = JSON.parse(r.stdout) as {
    pods: {
      name: string;
      namespace: string;
      owner: string;
      status: { terminating?: boolean; ip?: string };
    }[];
  };
  return pods
    .filter((p) => p.owner === deploy && !p.status.terminating)
    .map((p) => ({ name: p.name, namespace: p.namespace, ip: p.status.ip ?? '' }));
}

async function podOf(deploy: string): Promise<PodInfo> {
  const pods = await podsOf(deploy);
  assert.equal(pods.length, 1, `${deploy}: ${JSON.stringify(pods)}`);
  return pods[0]!;
}

/** A command run inside the pod of `deploy` (so its traffic goes through the pod's capture). */
function exec(deploy: string, namespace: string, cmd: readonly string[]): Promise<Run> {
  return weft(['exec', `deploy/${deploy}`, '-n', namespace, ...state, '--', ...cmd]);
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

/** The proxy's access-log lines of a pod that carry `marker` (a User-Agent the test chose). */
async function accessLog(pod: PodInfo, marker: string): Promise<string[]> {
  const r = await weft(['logs', pod.name, '-n', pod.namespace, '-c', 'proxy', ...state]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes(`"${marker}"`));
}

/** Polls `f` until `ok` holds or `ms` pass; returns the last value. */
async function eventually<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await sleep(250);
  }
}

test(
  'scenario 24: forecast-route v1 100% mirrored to v2: no recommendation; v1 and v2 (Host …-shadow) log it; a failing v2 is invisible',
  { skip },
  async () => {
    await apply(`apiVersion: networking.istio.io/v1beta1
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
    assert.equal(inbound(await accessLog(v1, 'scenario-24a'), 'forecast:3002').length, 5);
    const shadowed = await eventually(
      async () => inbound(await accessLog(v2, 'scenario-24a'), 'forecast-shadow:3002'),
      (l) => l.length >= 5,
    );
    assert.equal(shadowed.length, 5);
    for (const l of shadowed) assert.match(l, /"GET \/weather\?locate=Oslo HTTP\/1.1" 200 /);
    assert.deepEqual(inbound(await accessLog(v2, 'scenario-24a'), 'forecast:3002'), []);

    // v2 now fails (recommendation aborts, so forecast-v2 answers 500): the client never sees it.
    await apply(`apiVersion: networking.istio.io/v1beta1
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
      async () => inbound(await accessLog(v2, 'scenario-24b'), 'forecast-shadow:3002'),
      (l) => l.length >= 5,
    );
    assert.equal(failed.length, 5);
    for (const l of failed) assert.match(l, /" 500 /);
    assert.equal(inbound(await accessLog(v1, 'scenario-24b'), 'forecast:3002').length, 5);
  },
);
