// How the server drives generators: one generation per scope key per push context, and
// endpoint-only pushes reach other types only when their generator asks for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Generator } from '../../src/xds/contracts.js';
import { TypeUrl } from '../../src/xds/type-urls.js';
import { AdsClient, names } from './ads-client.js';
import { FakeClock } from './fake-clock.js';
import {
  edsPush,
  fakeGenerators,
  fullPush,
  nodeId,
  startServer,
  until,
  watchOf,
  type FakePush,
} from './fixtures.js';

const [cds, eds] = fakeGenerators as [Generator<FakePush>, Generator<FakePush>];

test('proxies with the same scope key share one generation per push', async () => {
  let calls = 0;
  const scoped: Generator<FakePush> = {
    typeUrl: TypeUrl.Cluster,
    scopeKey: (proxy) => proxy.namespace,
    generate: (req) => {
      calls++;
      return cds.generate(req);
    },
  };
  const s = await startServer({ generators: [scoped] });
  const clients = ['g-1', 'g-2', 'g-3'].map((p) => new AdsClient(s.address, nodeId(p)));
  try {
    for (const c of clients) c.request(TypeUrl.Cluster);
    for (const c of clients) c.ack(await c.next(TypeUrl.Cluster));
    assert.equal(calls, 1);
    s.push = { ...s.push, revision: 7 };
    s.ds.push(fullPush());
    for (const c of clients) assert.equal(names(await c.next(TypeUrl.Cluster)).length, 2);
    assert.equal(calls, 2);
  } finally {
    for (const c of clients) c.close();
    await s.close();
  }
});

test('an endpoint-only push sends another type when its generator needs it (DNS clusters)', async () => {
  const dnsAware: Generator<FakePush> = {
    ...cds,
    needsPush: (_p, update) => update.full || update.edsUpdates.has('dns.example.com'),
  };
  const s = await startServer({ generators: [dnsAware, eds] });
  const c = new AdsClient(s.address, nodeId('dns-1'));
  try {
    c.request(TypeUrl.Cluster);
    c.ack(await c.next(TypeUrl.Cluster));
    s.push = { ...s.push, clusters: [...s.push.clusters, 'outbound|53||dns.example.com'] };
    s.ds.push(edsPush('a.default.svc.cluster.local'));
    s.ds.push(edsPush('dns.example.com'));
    const r = await c.next(TypeUrl.Cluster);
    assert.ok(names(r).includes('outbound|53||dns.example.com'));
    await s.ds.settled();
    assert.equal(c.responses.length, 0);
  } finally {
    c.close();
    await s.close();
  }
});

test('flow control: a push moves to the next type once the proxy answers, or after the timeout', async () => {
  const clock = new FakeClock();
  const s = await startServer({ clock, ackTimeout: 1000 });
  const c = new AdsClient(s.address, nodeId('flow-1'));
  const subscribed = (t: string): string[] =>
    t === TypeUrl.ClusterLoadAssignment
      ? ['outbound|80||a.default.svc.cluster.local']
      : t === TypeUrl.RouteConfiguration
        ? ['80']
        : [];
  try {
    for (const t of [
      TypeUrl.Cluster,
      TypeUrl.ClusterLoadAssignment,
      TypeUrl.Listener,
      TypeUrl.RouteConfiguration,
    ]) {
      c.request(t, subscribed(t));
      c.ack(await c.next(t), subscribed(t));
    }
    s.push = { ...s.push, revision: 1 };
    s.ds.push(fullPush());
    const cds = await c.next(TypeUrl.Cluster);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(c.responses.length, 0, 'EDS waits for the CDS answer');
    c.ack(cds);
    const eds = await c.next(TypeUrl.ClusterLoadAssignment);
    assert.ok(eds.nonce);
    // EDS stays unanswered: LDS follows only when the timeout passes.
    await until(
      () => watchOf(s.ds, nodeId('flow-1'), TypeUrl.ClusterLoadAssignment)?.nonceSent === eds.nonce,
    );
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(c.responses.length, 0);
    clock.advance(1000);
    await c.next(TypeUrl.Listener);
  } finally {
    c.close();
    await s.close();
  }
});
