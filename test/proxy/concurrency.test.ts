// --concurrency 2: two worker processes accept on the shared listening socket, the main process
// owns config and aggregates their stats for the admin API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  httpBootstrap,
  request,
  startProxy,
  startUpstream,
  stat,
  staticCluster,
  type Running,
} from './helpers.js';

describe('worker processes', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  before(async () => {
    up = await startUpstream();
    px = await startProxy(
      httpBootstrap(
        `virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: backend}}]}]`,
        staticCluster('backend', [up.port]),
      ),
      { concurrency: 2 },
    );
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('serves through both workers and sums their traffic stats', async () => {
    const port = await px.port('http');
    const n = 40;
    const rs = await Promise.all(Array.from({ length: n }, (_, i) => request(port, `/w${i}`)));
    assert.ok(rs.every((r) => r.status === 200));
    assert.equal(await stat(px.admin, 'http.ingress.downstream_rq_total'), n);
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_200'), n);
    assert.equal(await stat(px.admin, 'server.concurrency'), 2);
    // Every worker holds the cluster; its membership is still one host, not one per worker.
    assert.equal(await stat(px.admin, 'cluster.backend.membership_total'), 1);
    assert.equal(await stat(px.admin, 'cluster.backend.membership_healthy'), 1);
    const clusters = (await request(px.admin, '/clusters')).body;
    assert.match(clusters, new RegExp(`^backend::127\\.0\\.0\\.1:${up.port}::rq_total::${n}$`, 'm'));
  });
});
