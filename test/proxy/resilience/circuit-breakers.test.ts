// Cluster circuit_breakers (scenario 20): max_connections 3, max_pending_requests 5 and
// max_requests_per_connection 1 at concurrency 10 → 2 × 503 "…reset reason: overflow" with
// x-envoy-overloaded and flag UO, upstream_rq_pending_overflow and the circuit_breakers gauges;
// at concurrency 1 nothing overflows.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, logLines, tempLog, type CountingUpstream } from './fixtures.js';

describe('circuit breakers', () => {
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  const log = tempLog();
  const held: ServerResponse[] = [];
  const release = (): void => held.splice(0).forEach((r) => r.end('ok'));
  async function until(name: string, want: number): Promise<void> {
    for (let i = 0; i < 200 && (await stat(px.admin, name)) !== want; i++)
      await new Promise((r) => setTimeout(r, 25));
    assert.equal(await stat(px.admin, name), want, name);
  }
  before(async () => {
    // Responses are held until the test releases them, so the outcome does not depend on timing.
    up = await countingUpstream((_req, res) => held.push(res));
    px = await startProxy(
      bootstrap({
        log,
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes: [{match: {prefix: /}, route: {cluster: backend}}]`,
        clusters: staticCluster(
          'backend',
          [up.port],
          `
max_requests_per_connection: 1
circuit_breakers:
  thresholds: [{max_connections: 3, max_pending_requests: 5, track_remaining: true}]`,
        ),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('concurrency 10: 3 connected, 5 pending, 2 overflow with 503 UO and x-envoy-overloaded', async () => {
    const all = Array.from({ length: 10 }, (_, i) => request(port, `/c10/${i}`));
    await until('cluster.backend.upstream_rq_pending_overflow', 2);
    await until('cluster.backend.upstream_cx_total', 3);
    assert.equal(await stat(px.admin, 'cluster.backend.circuit_breakers.default.cx_open'), 1);
    assert.equal(await stat(px.admin, 'cluster.backend.circuit_breakers.default.rq_pending_open'), 1);
    assert.equal(await stat(px.admin, 'cluster.backend.circuit_breakers.default.remaining_pending'), 0);
    // Each released response frees a connection (max 1 request each) for a pending request.
    const releasing = setInterval(release, 20);
    const rs = await Promise.all(all).finally(() => clearInterval(releasing));
    const overflow = rs.filter((r) => r.status === 503);
    assert.equal(rs.filter((r) => r.status === 200).length, 8);
    assert.equal(overflow.length, 2);
    for (const r of overflow) {
      assert.equal(r.headers['x-envoy-overloaded'], 'true');
      assert.equal(
        r.body,
        'upstream connect error or disconnect/reset before headers. reset reason: overflow',
      );
    }
    assert.equal(up.seen.length, 8);
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_pending_overflow'), 2);
    assert.ok((await stat(px.admin, 'cluster.backend.upstream_cx_overflow'))! > 0);
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_pending_total'), 5);
    assert.equal((await logLines(log, '/c10/')).filter((l) => l.endsWith(' 503 UO')).length, 2);
    assert.equal(await stat(px.admin, 'cluster.backend.circuit_breakers.default.cx_open'), 0);
    assert.equal(await stat(px.admin, 'cluster.backend.circuit_breakers.default.remaining_cx'), 3);
  });

  it('concurrency 1: no overflow', async () => {
    const releasing = setInterval(release, 5);
    try {
      for (let i = 0; i < 4; i++) assert.equal((await request(port, `/c1/${i}`)).status, 200);
    } finally {
      clearInterval(releasing);
    }
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_pending_overflow'), 2);
  });
});
