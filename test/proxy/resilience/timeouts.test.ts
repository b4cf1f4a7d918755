// Route timeouts with retries (scenario 16): the route timeout bounds every attempt and the
// back-off between them (504 "upstream request timeout", UT); x-envoy-upstream-rq-timeout-ms and
// x-envoy-upstream-rq-per-try-timeout-ms override; x-envoy-expected-rq-timeout-ms tells the
// upstream the per-try budget.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, logLines, tempLog, type CountingUpstream } from './fixtures.js';

describe('route timeouts', () => {
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  const log = tempLog();
  before(async () => {
    up = await countingUpstream((req, res) => {
      const ms = /^\/delay\/(\d+)/.exec(req.url ?? '');
      if (ms) return void setTimeout(() => res.end('late'), Number(ms[1]));
      res.writeHead(500);
      res.end();
    });
    px = await startProxy(
      bootstrap({
        log,
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: /backoff}
    route:
      cluster: backend
      timeout: 0.25s
      retry_policy: {retry_on: 5xx, num_retries: 5, retry_back_off: {base_interval: 1s, max_interval: 1s}}
  - match: {prefix: /}
    route: {cluster: backend, timeout: 0.3s}`,
        clusters: staticCluster('backend', [up.port]),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('route timeout: 504 upstream request timeout after ~timeout, UT, upstream_rq_timeout', async () => {
    const t0 = Date.now();
    const r = await request(port, '/delay/2000');
    const took = Date.now() - t0;
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
    assert.deepEqual(await logLines(log, '/delay/2000 '), ['/delay/2000 504 UT']);
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_timeout'), 1);
  });

  it('the route timeout runs out during retry back-off: 504 UT', async () => {
    const t0 = Date.now();
    const r = await request(port, '/backoff', { headers: { 'x-envoy-retry-on': '5xx' } });
    const took = Date.now() - t0;
    assert.equal(r.status, 504);
    assert.ok(took >= 240 && took < 1000, `took ${took} ms`);
    assert.ok(up.seen.filter((s) => s.url === '/backoff').length <= 2);
  });

  it('x-envoy-upstream-rq-timeout-ms overrides the route timeout and is not forwarded', async () => {
    const r = await request(port, '/delay/400', { headers: { 'x-envoy-upstream-rq-timeout-ms': '1000' } });
    assert.equal(r.status, 200);
    const seen = up.seen.find((s) => s.url === '/delay/400')!;
    assert.equal(seen.headers['x-envoy-upstream-rq-timeout-ms'], undefined);
    assert.equal(seen.headers['x-envoy-expected-rq-timeout-ms'], '1000');
  });

  it('x-envoy-upstream-rq-per-try-timeout-ms: per-try budget sent upstream, UT when it expires', async () => {
    const r = await request(port, '/delay/250', {
      headers: {
        'x-envoy-retry-on': 'reset',
        'x-envoy-max-retries': '0',
        'x-envoy-upstream-rq-per-try-timeout-ms': '100',
      },
    });
    assert.equal(r.status, 504);
    const seen = up.seen.find((s) => s.url === '/delay/250')!;
    assert.equal(seen.headers['x-envoy-expected-rq-timeout-ms'], '100');
    assert.equal(seen.headers['x-envoy-upstream-rq-per-try-timeout-ms'], undefined);
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_per_try_timeout'), 1);
  });
});

describe('route idle_timeout', () => {
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  const log = tempLog();
  before(async () => {
    up = await countingUpstream((_req, res) => setTimeout(() => res.end('late'), 1000));
    px = await startProxy(
      bootstrap({
        log,
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes: [{match: {prefix: /}, route: {cluster: backend, timeout: 0s, idle_timeout: 0.2s}}]`,
        clusters: staticCluster('backend', [up.port]),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('replaces the stream idle timeout: 408 "stream timeout" with SI after ~200 ms of silence', async () => {
    const t0 = Date.now();
    const r = await request(port, '/idle');
    const took = Date.now() - t0;
    assert.equal(r.status, 408);
    assert.equal(r.body, 'stream timeout');
    assert.ok(took >= 190 && took < 900, `took ${took} ms`);
    assert.deepEqual(await logLines(log, '/idle '), ['/idle 408 SI']);
  });
});
