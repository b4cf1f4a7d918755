// Incremental ADS against real grpc-js streams: subscribe/unsubscribe, per-resource versions,
// removed_resources, initial_resource_versions on reconnect, ACK/NACK.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TypeUrl } from '../../src/xds/type-urls.js';
import { AdsClient, names, resourcesOf } from './ads-client.js';
import { edsPush, fullPush, nodeId, startServer, until, watchOf, type TestServer } from './fixtures.js';

const A = 'outbound|80||a.default.svc.cluster.local';
const B = 'outbound|80||b.default.svc.cluster.local';

let s: TestServer;
const clients: AdsClient[] = [];
before(async () => {
  s = await startServer();
});
after(async () => {
  for (const c of clients) c.close();
  await s.close();
});

function client(pod: string): AdsClient {
  const c = new AdsClient(s.address, nodeId(pod), 'delta');
  clients.push(c);
  return c;
}

test('wildcard CDS sends everything with versions, then only what changed, then removals', async () => {
  const c = client('d-cds');
  c.delta(TypeUrl.Cluster);
  const first = await c.next(TypeUrl.Cluster);
  assert.deepEqual(names(first).sort(), [A, B]);
  assert.ok(resourcesOf(first).every((r) => (r.version ?? '').length > 0));
  c.ack(first);
  s.push = { ...s.push, clusters: [A] };
  s.ds.push(fullPush());
  const second = await c.next(TypeUrl.Cluster);
  assert.deepEqual(names(second), []);
  assert.deepEqual(second.removed_resources, [B]);
  c.ack(second);
  s.push = { ...s.push, clusters: [A, B] };
  s.ds.push(fullPush());
  const third = await c.next(TypeUrl.Cluster);
  assert.deepEqual(names(third), [B]);
  c.ack(third);
});

test('named EDS: subscribe adds only the new resource, unsubscribe stops updates for it', async () => {
  const c = client('d-eds');
  c.delta(TypeUrl.ClusterLoadAssignment, { subscribe: [A] });
  const r1 = await c.next(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(names(r1), [A]);
  c.ack(r1);
  c.delta(TypeUrl.ClusterLoadAssignment, { subscribe: [B] });
  const r2 = await c.next(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(names(r2), [B]);
  c.ack(r2);
  c.delta(TypeUrl.ClusterLoadAssignment, { unsubscribe: [A] });
  await until(() => watchOf(s.ds, nodeId('d-eds'), TypeUrl.ClusterLoadAssignment)?.names.has(A) === false);
  s.push = {
    ...s.push,
    endpoints: new Map([
      [A, ['10.1.0.1']],
      [B, ['10.1.0.2']],
    ]),
  };
  s.ds.push(edsPush('a.default.svc.cluster.local', 'b.default.svc.cluster.local'));
  const r3 = await c.next(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(names(r3), [B]);
  assert.deepEqual(r3.removed_resources ?? [], []);
  c.ack(r3);
});

test('subscribing to a resource that does not exist answers it as removed', async () => {
  const c = client('d-missing');
  c.delta(TypeUrl.ClusterLoadAssignment, { subscribe: ['outbound|80||nope.default.svc.cluster.local'] });
  const r = await c.next(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(names(r), []);
  assert.deepEqual(r.removed_resources, ['outbound|80||nope.default.svc.cluster.local']);
});

test('a reconnecting client with current versions is not sent them again', async () => {
  const c1 = client('d-re');
  c1.delta(TypeUrl.Cluster);
  const r = await c1.next(TypeUrl.Cluster);
  const versions = Object.fromEntries(resourcesOf(r).map((x) => [x.name, x.version ?? '']));
  c1.close();
  const c2 = client('d-re');
  c2.delta(TypeUrl.Cluster, { initial: { ...versions, [A]: 'old' } });
  const again = await c2.next(TypeUrl.Cluster);
  assert.deepEqual(names(again), [A]);
});

test('delta NACK is recorded for that proxy, ACK clears it', async () => {
  const c = client('d-nack');
  c.delta(TypeUrl.Listener);
  const r = await c.next(TypeUrl.Listener);
  c.nack(r, 'listener 0.0.0.0_80: bad filter');
  const w = () => watchOf(s.ds, nodeId('d-nack'), TypeUrl.Listener);
  await until(() => w()?.lastNack !== undefined);
  assert.equal(w()?.lastNack?.message, 'listener 0.0.0.0_80: bad filter');
  assert.equal(w()?.status(), 'STALE');
  s.push = { ...s.push, revision: s.push.revision + 1 };
  s.ds.push(fullPush());
  c.ack(await c.next(TypeUrl.Listener));
  await until(() => w()?.status() === 'SYNCED');
  assert.equal(w()?.lastNack, undefined);
});
