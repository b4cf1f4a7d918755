// State-of-the-world ADS against real grpc-js streams: nonce/version, ACK/NACK, stale nonces,
// push order, incremental EDS, failing generators and encode-once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TypeUrl } from '../../src/xds/type-urls.js';
import { AdsClient, names, resourcesOf } from './ads-client.js';
import {
  edsPush,
  fullPush,
  newPush,
  nodeId,
  startServer,
  until,
  watchOf as watchOfProxy,
  type TestServer,
} from './fixtures.js';

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
  const c = new AdsClient(s.address, nodeId(pod));
  clients.push(c);
  return c;
}

/** The names subscribeAll(c, [A]) asked for, per type (an ACK repeats them). */
const subscribed = (typeUrl: string): string[] =>
  typeUrl === TypeUrl.ClusterLoadAssignment ? [A] : typeUrl === TypeUrl.RouteConfiguration ? ['80'] : [];

/** Subscribes to all four types in Envoy's order, ACKing each first response. */
async function subscribeAll(c: AdsClient, eds: string[]): Promise<void> {
  c.request(TypeUrl.Cluster);
  c.ack(await c.next(TypeUrl.Cluster));
  c.request(TypeUrl.ClusterLoadAssignment, eds);
  c.ack(await c.next(TypeUrl.ClusterLoadAssignment), eds);
  c.request(TypeUrl.Listener);
  c.ack(await c.next(TypeUrl.Listener));
  c.request(TypeUrl.RouteConfiguration, ['80']);
  c.ack(await c.next(TypeUrl.RouteConfiguration), ['80']);
}

const watchOf = (pod: string, typeUrl: string) => watchOfProxy(s.ds, nodeId(pod), typeUrl);

test('first CDS request gets every cluster with a version and a nonce; ACK marks SYNCED', async () => {
  const c = client('ack-1');
  c.request(TypeUrl.Cluster);
  const r = await c.next(TypeUrl.Cluster);
  assert.deepEqual(names(r).sort(), [A, B]);
  assert.match(r.version_info ?? '', /^\d{4}-\d\d-\d\dT.*Z\/\d+$/);
  assert.ok(r.nonce.length > 0);
  assert.equal(watchOf('ack-1', TypeUrl.Cluster)?.status(), 'STALE');
  c.ack(r);
  await until(() => watchOf('ack-1', TypeUrl.Cluster)?.status() === 'SYNCED');
  assert.equal(watchOf('ack-1', TypeUrl.Cluster)?.versionAcked, r.version_info);
});

test('a NACK is counted, shown for that proxy only, and nothing is re-sent', async () => {
  const bad = client('nack-1');
  const good = client('nack-2');
  for (const c of [bad, good]) c.request(TypeUrl.Cluster);
  const rb = await bad.next(TypeUrl.Cluster);
  good.ack(await good.next(TypeUrl.Cluster));
  const before = (await s.ds.metrics.rejects.get()).values.find((v) => v.labels.type === 'cds')?.value ?? 0;
  bad.nack(rb, 'cluster a: unknown field');
  await until(() => watchOf('nack-1', TypeUrl.Cluster)?.lastNack !== undefined);
  const w = watchOf('nack-1', TypeUrl.Cluster);
  assert.equal(w?.lastNack?.message, 'cluster a: unknown field');
  assert.equal(w?.status(), 'STALE');
  await until(() => watchOf('nack-2', TypeUrl.Cluster)?.status() === 'SYNCED');
  const afterNack = (await s.ds.metrics.rejects.get()).values.find((v) => v.labels.type === 'cds')?.value;
  assert.equal(afterNack, before + 1);
  // The next change reaches both; the NACKing proxy can recover by ACKing it.
  s.push = { ...s.push, revision: s.push.revision + 1 };
  s.ds.push(fullPush());
  const again = await bad.next(TypeUrl.Cluster);
  assert.notEqual(again.nonce, rb.nonce);
  bad.ack(again);
  await until(() => watchOf('nack-1', TypeUrl.Cluster)?.status() === 'SYNCED');
  good.ack(await good.next(TypeUrl.Cluster));
});

test('a request with a stale nonce is ignored', async () => {
  const c = client('stale-1');
  c.request(TypeUrl.ClusterLoadAssignment, [A]);
  const first = await c.next(TypeUrl.ClusterLoadAssignment);
  c.ack(first, [A]);
  // Subscribing to B answers with a new nonce …
  c.request(TypeUrl.ClusterLoadAssignment, [A, B], { version: first.version_info ?? '', nonce: first.nonce });
  const second = await c.next(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(names(second).sort(), [A, B]);
  // … so a request still carrying the first nonce is stale: no response, subscription unchanged.
  c.request(TypeUrl.ClusterLoadAssignment, [A], { version: first.version_info ?? '', nonce: first.nonce });
  c.ack(second, [A, B]);
  await until(() => watchOf('stale-1', TypeUrl.ClusterLoadAssignment)?.status() === 'SYNCED');
  assert.deepEqual([...(watchOf('stale-1', TypeUrl.ClusterLoadAssignment)?.names ?? [])].sort(), [A, B]);
  assert.equal(c.responses.length, 0);
});

test('ACKs repeating the subscribed names, an explicit "*" included, are not answered again', async () => {
  const c = client('star-1');
  c.request(TypeUrl.Cluster, ['*']);
  const r = await c.next(TypeUrl.Cluster);
  assert.deepEqual(names(r).sort(), [A, B]);
  c.ack(r, ['*']);
  c.request(TypeUrl.ClusterLoadAssignment, [B, A]);
  const e = await c.next(TypeUrl.ClusterLoadAssignment);
  // The same names in another order are the same subscription.
  c.ack(e, [A, B]);
  c.ack(e, [A, B]);
  await until(() => watchOf('star-1', TypeUrl.ClusterLoadAssignment)?.status() === 'SYNCED');
  await s.ds.settled();
  assert.equal(watchOf('star-1', TypeUrl.Cluster)?.status(), 'SYNCED');
  assert.equal(c.responses.length, 0);
});

test('a full push goes out in order CDS, EDS, LDS, RDS and only with changed content', async () => {
  const c = client('order-1');
  await subscribeAll(c, [A]);
  s.push = { ...s.push, revision: s.push.revision + 1 };
  s.ds.push(fullPush());
  const got: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await c.next();
    got.push(r.type_url);
    c.ack(r, subscribed(r.type_url));
  }
  assert.deepEqual(got, [
    TypeUrl.Cluster,
    TypeUrl.ClusterLoadAssignment,
    TypeUrl.Listener,
    TypeUrl.RouteConfiguration,
  ]);
});

test('a full push that changes nothing for a proxy sends it nothing', async () => {
  const c = client('same-1');
  await subscribeAll(c, [A]);
  s.ds.push(fullPush());
  await s.ds.settled();
  // Sentinel: the next thing this proxy receives is the endpoint change below.
  s.push = { ...s.push, endpoints: new Map([...s.push.endpoints, [A, ['10.0.0.7']]]) };
  s.ds.push(edsPush('a.default.svc.cluster.local'));
  const r = await c.next(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(names(r), [A]);
  c.ack(r, [A]);
});

test('an endpoint-only push sends EDS, only the changed clusters, only to proxies watching them', async () => {
  const pa = client('eds-a');
  const pb = client('eds-b');
  await subscribeAll(pa, [A]);
  await subscribeAll(pb, [B]);
  const n = s.ds.metrics.pushes;
  const cdsBefore = (await n.get()).values.find((v) => v.labels.type === 'cds')?.value ?? 0;
  s.push = { ...s.push, endpoints: new Map([...s.push.endpoints, [A, ['10.0.0.1', '10.0.0.3']]]) };
  s.ds.push(edsPush('a.default.svc.cluster.local'));
  const r = await pa.next(TypeUrl.ClusterLoadAssignment);
  const [cla] = resourcesOf(r);
  assert.equal(cla?.name, A);
  assert.equal(JSON.stringify(cla?.body).includes('10.0.0.3'), true);
  pa.ack(r, [A]);
  // pb watches only B: its next message is the B change, nothing from the A push came before it.
  s.push = { ...s.push, endpoints: new Map([...s.push.endpoints, [B, ['10.0.0.4']]]) };
  s.ds.push(edsPush('b.default.svc.cluster.local'));
  const rb = await pb.next(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(names(rb), [B]);
  pb.ack(rb, [B]);
  await s.ds.settled();
  assert.equal(pa.responses.length, 0);
  assert.equal((await n.get()).values.find((v) => v.labels.type === 'cds')?.value ?? 0, cdsBefore);
});

test('an endpoint-only push reaches AUTO_PASSTHROUGH clusters named by SNI', async () => {
  const sni = 'outbound_.80_.v1_.a.default.svc.cluster.local';
  s.push = { ...s.push, endpoints: new Map([...s.push.endpoints, [sni, ['10.0.0.1']]]) };
  const gw = client('sni-gw');
  await subscribeAll(gw, [sni, B]);
  s.push = { ...s.push, endpoints: new Map([...s.push.endpoints, [sni, ['10.0.0.8']]]) };
  s.ds.push(edsPush('a.default.svc.cluster.local'));
  const r = await gw.next(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(names(r), [sni]);
  assert.match(JSON.stringify(resourcesOf(r)[0]?.body), /10\.0\.0\.8/);
  gw.ack(r, [sni, B]);
});

test('a proxy whose config cannot be generated keeps its last good config; others get the push', async () => {
  const broken = client('fail-1');
  const fine = client('fail-2');
  await subscribeAll(broken, [A]);
  await subscribeAll(fine, [A]);
  const errorsBefore = (await s.ds.metrics.internalErrors.get()).values[0]?.value ?? 0;
  const lastGood = watchOf('fail-1', TypeUrl.Listener)?.sent.get('0.0.0.0_80');
  s.push = {
    ...s.push,
    revision: s.push.revision + 1,
    failing: new Map([[TypeUrl.Listener, new Set([nodeId('fail-1')])]]),
  };
  s.ds.push(fullPush());
  const seen: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await fine.next();
    seen.push(r.type_url);
    fine.ack(r, subscribed(r.type_url));
  }
  assert.ok(seen.includes(TypeUrl.Listener));
  const got: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await broken.next();
    got.push(r.type_url);
    broken.ack(r, subscribed(r.type_url));
  }
  assert.deepEqual(got, [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.RouteConfiguration]);
  const w = watchOf('fail-1', TypeUrl.Listener);
  assert.match(w?.lastError ?? '', /cannot build/);
  assert.equal(w?.sent.get('0.0.0.0_80'), lastGood);
  assert.equal((await s.ds.metrics.internalErrors.get()).values[0]?.value, errorsBefore + 1);
  s.push = { ...s.push, failing: new Map() };
});

test('each resource is encoded once for many proxies', async () => {
  // New content that no proxy has yet: three proxies ask, each cluster is encoded once.
  s.push = { ...newPush(), revision: 100 };
  const before = s.ds.cache.encodes;
  const cs = [client('enc-1'), client('enc-2'), client('enc-3')];
  for (const c of cs) c.request(TypeUrl.Cluster);
  for (const c of cs) assert.equal(names(await c.next(TypeUrl.Cluster)).length, 2);
  assert.equal(s.ds.cache.encodes - before, 2);
});

test('the per-type CDS service serves clusters to requests without type_url and refuses other types', async () => {
  const path = '/envoy.service.cluster.v3.ClusterDiscoveryService/StreamClusters';
  const c = new AdsClient(s.address, nodeId('cds-only'), 'sotw', {}, path);
  clients.push(c);
  c.request('');
  const r = await c.next(TypeUrl.Cluster);
  assert.deepEqual(names(r).sort(), [A, B]);
  c.request(TypeUrl.Listener);
  await assert.rejects(
    c.next(undefined, 2000),
    /serves type.googleapis.com\/envoy.config.cluster.v3.Cluster/,
  );
});
