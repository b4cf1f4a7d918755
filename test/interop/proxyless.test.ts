// @grpc/grpc-js-xds proxyless clients against the Weft control plane: traffic splitting, header
// routing, fault abort, retries, ring-hash affinity and endpoint removal, on real loopback backends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SERVICE, call, eventually, startMesh, tally, type Mesh } from './harness.js';

let mesh: Mesh;
before(async () => {
  mesh = await startMesh({
    'v1-a': { version: 'v1' },
    'v1-b': { version: 'v1' },
    'v1-c': { version: 'v1' },
    'v2-a': { version: 'v2' },
    'flaky-a': { version: 'flaky' },
  });
});
after(async () => {
  await mesh?.close();
});

const DR = (policy = ''): string => `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: echo, namespace: default}
spec:
  host: ${SERVICE}
${policy}  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
  - {name: flaky, labels: {version: flaky}}
`;

const VS = (http: string): string => `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: echo, namespace: default}
spec:
  hosts: [${SERVICE}]
  http:
${http}`;

const version = (backend: string | undefined): string | undefined => backend?.split('-')[0];

/** Each test sets its own DestinationRule and VirtualService, so any one of them can run alone. */
async function route(dr: string, vs: string): Promise<void> {
  await mesh.write('dr.yaml', dr);
  await mesh.write('vs.yaml', vs);
}

async function byVersion(n: number, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [k, v] of await tally(mesh.client, n, headers)) {
    const key = k.startsWith('status:') ? k : (version(k) ?? k);
    out.set(key, (out.get(key) ?? 0) + v);
  }
  return out;
}

test('weighted subsets 80/20 over 1000 RPCs are within ±5%', async () => {
  await route(
    DR(),
    VS(`  - route:
    - {destination: {host: ${SERVICE}, subset: v1}, weight: 80}
    - {destination: {host: ${SERVICE}, subset: v2}, weight: 20}
`),
  );
  await eventually(async () => {
    const c = await byVersion(40);
    return (c.get('v1') ?? 0) + (c.get('v2') ?? 0) === 40 && (c.get('v2') ?? 0) > 0 && !c.has('flaky');
  });
  const c = await byVersion(1000);
  const v1 = (c.get('v1') ?? 0) / 1000;
  assert.equal((c.get('v1') ?? 0) + (c.get('v2') ?? 0), 1000, JSON.stringify([...c]));
  assert.ok(Math.abs(v1 - 0.8) <= 0.05, `v1 share ${v1}`);
});

test('a header match routes to the chosen subset', async () => {
  await route(
    DR(),
    VS(`  - match: [{headers: {x-user: {exact: tester}}}]
    route: [{destination: {host: ${SERVICE}, subset: v2}}]
  - route: [{destination: {host: ${SERVICE}, subset: v1}}]
`),
  );
  await eventually(async () => {
    const [t, o] = await Promise.all([byVersion(10, { 'x-user': 'tester' }), byVersion(10)]);
    return t.get('v2') === 10 && o.get('v1') === 10;
  });
  assert.equal((await byVersion(50, { 'x-user': 'tester' })).get('v2'), 50);
  assert.equal((await byVersion(50, { 'x-user': 'someone' })).get('v1'), 50);
});

test('an injected abort fails the RPCs it matches', async () => {
  await route(
    DR(),
    VS(`  - match: [{headers: {x-fault: {exact: abort}}}]
    fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
    route: [{destination: {host: ${SERVICE}, subset: v1}}]
  - route: [{destination: {host: ${SERVICE}, subset: v1}}]
`),
  );
  await eventually(
    async () => (await byVersion(10, { 'x-fault': 'abort' })).get('status:UNAVAILABLE') === 10,
  );
  assert.equal((await byVersion(20)).get('v1'), 20);
});

test('retry on UNAVAILABLE recovers from a flaky backend', async () => {
  const flaky = mesh.backends.find((b) => b.name === 'flaky-a');
  assert.ok(flaky);
  // Every first attempt fails; a retry (grpc-previous-rpc-attempts set by the client) succeeds.
  flaky.failIf = (md) => md.get('grpc-previous-rpc-attempts').length === 0;
  // Istio's default retry policy already covers UNAVAILABLE, so the baseline turns retries off.
  await route(
    DR(),
    VS(`  - route: [{destination: {host: ${SERVICE}, subset: flaky}}]
    retries: {attempts: 0}
`),
  );
  await eventually(async () => (await byVersion(10)).get('status:UNAVAILABLE') === 10);
  await route(
    DR(),
    VS(`  - route: [{destination: {host: ${SERVICE}, subset: flaky}}]
    retries: {attempts: 3, retryOn: unavailable}
`),
  );
  await eventually(async () => (await byVersion(10)).get('flaky') === 10);
  const before = flaky.calls;
  const c = await byVersion(100);
  assert.equal(c.get('flaky'), 100, JSON.stringify([...c]));
  assert.equal(flaky.calls - before, 200, 'each RPC took one retry');
  flaky.failIf = undefined;
});

test('ring hash keeps each header value on one backend', async () => {
  await route(
    DR(`  trafficPolicy:
    loadBalancer: {consistentHash: {httpHeaderName: x-user}}
`),
    VS(`  - route: [{destination: {host: ${SERVICE}, subset: v1}}]\n`),
  );
  const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
  let chosen = new Map<string, string>();
  await eventually(async () => {
    chosen = new Map();
    for (const u of users) {
      const c = await tally(mesh.client, 10, { 'x-user': u });
      const only = [...c.keys()][0] ?? '';
      if (c.size !== 1 || version(only) !== 'v1') return false;
      chosen.set(u, only);
    }
    return new Set(chosen.values()).size > 1;
  });
  for (const u of users) {
    const c = await tally(mesh.client, 20, { 'x-user': u });
    assert.deepEqual([...c.keys()], [chosen.get(u)], `${u} moved`);
  }
});

test('an endpoint removed from config stops receiving RPCs within 1 s', async () => {
  await route(DR(), VS(`  - route: [{destination: {host: ${SERVICE}, subset: v1}}]\n`));
  await eventually(async () => (await tally(mesh.client, 30)).has('v1-c'));
  const gone = mesh.backends.find((b) => b.name === 'v1-c');
  assert.ok(gone);
  await mesh.write('we-v1-c.yaml', undefined);
  const removedAt = Date.now();
  // Converged once 60 RPCs in a row miss v1-c; the first of them must start within 1 s.
  const quietSince = await (async () => {
    for (;;) {
      const before = gone.calls;
      const start = Date.now();
      await Promise.all(Array.from({ length: 60 }, () => call(mesh.client)));
      if (gone.calls === before) return start;
      assert.ok(Date.now() - removedAt < 5000, 'v1-c still gets traffic after 5 s');
    }
  })();
  assert.ok(quietSince - removedAt <= 1000, `v1-c got traffic for ${quietSince - removedAt} ms`);
});
