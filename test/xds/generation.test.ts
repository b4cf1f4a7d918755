// How the server drives generators: one generation per scope key per push context, and
// endpoint-only pushes reach other types only when their generator asks for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Generator } from '../../src/xds/contracts.js';
import { TypeUrl } from '../../src/xds/type-urls.js';
import { AdsClient, names } from './ads-client.js';
import { edsPush, fakeGenerators, fullPush, nodeId, startServer, type FakePush } from './fixtures.js';

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
