// Route retry_policy and x-envoy-retry-* headers: 5xx, gateway-error, retriable-status-codes,
// gRPC unavailable, connect-failure with previous_hosts, per_try_timeout (UT per try), body
// replay, x-envoy-overloaded never retried, max_retries overflow, back-off jitter, URX and the
// cluster's upstream_rq_retry* stats (scenario 17: 1 + 3 attempts, final 500, URX).
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JitteredBackOff } from '../../../src/proxy/router/retry/backoff.js';
import { request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, logLines, tempLog, type CountingUpstream } from './fixtures.js';

/** /fail/<n>/<status>/<key>: the first n requests for key answer status; /always/<status>; /slow/<n>/<ms>/<key> */
function behaviour(): Parameters<typeof countingUpstream>[0] {
  const counts = new Map<string, number>();
  return (req, res) => {
    const url = req.url ?? '';
    const [, kind, a, b] = url.split('/');
    const n = (counts.get(url) ?? 0) + 1;
    counts.set(url, n);
    if (kind === 'always') {
      res.writeHead(Number(a));
      return void res.end('always');
    }
    if (kind === 'fail' && n <= Number(a)) {
      if (b === 'grpc14') {
        res.writeHead(200, { 'content-type': 'application/grpc', 'grpc-status': '14' });
        return void res.end();
      }
      if (b === 'overloaded') {
        res.writeHead(503, { 'x-envoy-overloaded': 'true' });
        return void res.end();
      }
      res.writeHead(Number(b));
      return void res.end(`fail ${n}`);
    }
    if (kind === 'slow' && n <= Number(a)) return void setTimeout(() => res.end(`slow ${n}`), Number(b));
    res.end(`ok ${n}`);
  };
}

describe('retries', () => {
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  let deadPort: number;
  const log = tempLog();
  before(async () => {
    up = await countingUpstream(behaviour());
    const dead = await countingUpstream();
    deadPort = dead.port;
    await dead.close();
    px = await startProxy(
      bootstrap({
        log,
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: /fail/, headers: [{name: x-policy, string_match: {exact: gateway}}]}
    route:
      cluster: backend
      retry_policy: {retry_on: gateway-error, num_retries: 2, retry_back_off: {base_interval: 0.001s}}
  - match: {prefix: /fail/, headers: [{name: x-policy, string_match: {exact: none}}]}
    route: {cluster: backend}
  - match: {prefix: /fail/, headers: [{name: x-policy, string_match: {exact: grpc}}]}
    route:
      cluster: backend
      retry_policy: {retry_on: unavailable, num_retries: 2, retry_back_off: {base_interval: 0.001s}}
  - match: {prefix: /fail/, headers: [{name: x-policy, string_match: {exact: nobudget}}]}
    route: {cluster: nobudget, retry_policy: {retry_on: 5xx, num_retries: 2}}
  - match: {prefix: /}
    route:
      cluster: backend
      # As Istio sends retries {attempts: 3, perTryTimeout, retryOn: 5xx} (back-off shortened).
      retry_policy:
        retry_on: 5xx
        num_retries: 3
        per_try_timeout: 0.2s
        retry_back_off: {base_interval: 0.001s}
        retry_host_predicate:
        - name: envoy.retry_host_predicates.previous_hosts
          typed_config: {"@type": type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate}
        host_selection_retry_max_attempts: 5
- name: mixed
  domains: [mixed]
  routes:
  - match: {prefix: /}
    route:
      cluster: mixed
      retry_policy:
        retry_on: connect-failure
        num_retries: 1
        retry_back_off: {base_interval: 0.001s}
        retry_host_predicate:
        - name: envoy.retry_host_predicates.previous_hosts
          typed_config: {"@type": type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate}
        host_selection_retry_max_attempts: 5`,
        clusters:
          staticCluster('backend', [up.port]) +
          staticCluster('mixed', [deadPort, up.port]) +
          staticCluster('nobudget', [up.port], 'circuit_breakers: {thresholds: [{max_retries: 0}]}'),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  const attempts = (url: string): number => up.seen.filter((s) => s.url === url).length;

  it('5xx, 3 retries (previous_hosts, one host): 1 + 3 attempts reach it, final 500 with URX', async () => {
    const r = await request(port, '/always/500');
    assert.equal(r.status, 500);
    assert.equal(attempts('/always/500'), 4);
    assert.deepEqual(await logLines(log, '/always/500 '), ['/always/500 500 URX']);
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_retry'), 3);
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_retry_limit_exceeded'), 1);
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_500'), 4);
  });

  it('a retry that succeeds: 200, upstream_rq_retry_success', async () => {
    const r = await request(port, '/fail/2/503/a');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok 3');
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_retry_success'), 1);
    assert.deepEqual(await logLines(log, '/fail/2/503/a '), ['/fail/2/503/a 200 -']);
  });

  it('no retry policy: one attempt', async () => {
    const r = await request(port, '/fail/1/503/b', { headers: { 'x-policy': 'none' } });
    assert.equal(r.status, 503);
    assert.equal(attempts('/fail/1/503/b'), 1);
  });

  it('gateway-error retries 502/503/504 but not 500', async () => {
    assert.equal((await request(port, '/fail/1/500/c', { headers: { 'x-policy': 'gateway' } })).status, 500);
    assert.equal(attempts('/fail/1/500/c'), 1);
    assert.equal((await request(port, '/fail/2/504/c', { headers: { 'x-policy': 'gateway' } })).status, 200);
    assert.equal(attempts('/fail/2/504/c'), 3);
  });

  it('gRPC unavailable (grpc-status 14 in headers) is retried', async () => {
    const r = await request(port, '/fail/1/grpc14/d', { headers: { 'x-policy': 'grpc' } });
    assert.equal(r.status, 200);
    assert.equal(attempts('/fail/1/grpc14/d'), 2);
  });

  it('request headers: x-envoy-retry-on retriable-status-codes, x-envoy-max-retries; removed upstream', async () => {
    const r = await request(port, '/fail/5/418/e', {
      headers: {
        'x-policy': 'none',
        'x-envoy-retry-on': 'retriable-status-codes',
        'x-envoy-retriable-status-codes': '418',
        'x-envoy-max-retries': '2',
      },
    });
    assert.equal(r.status, 418);
    assert.equal(attempts('/fail/5/418/e'), 3);
    const seen = up.seen.find((s) => s.url === '/fail/5/418/e')!;
    assert.equal(seen.headers['x-envoy-retry-on'], undefined);
    assert.equal(seen.headers['x-envoy-max-retries'], undefined);
  });

  it('an upstream saying x-envoy-overloaded is never retried', async () => {
    const r = await request(port, '/fail/1/overloaded/f');
    assert.equal(r.status, 503);
    assert.equal(attempts('/fail/1/overloaded/f'), 1);
  });

  it('per_try_timeout: the slow attempt times out (per-try counter) and the retry answers', async () => {
    const r = await request(port, '/slow/1/1000/g');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok 2');
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_per_try_timeout'), 1);
  });

  it('per_try_timeout on every attempt: 504 upstream request timeout, UT', async () => {
    const r = await request(port, '/slow/9/1000/h');
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.equal(attempts('/slow/9/1000/h'), 4);
    assert.match((await logLines(log, '/slow/9/1000/h '))[0]!, / 504 UT,URX$/);
  });

  it('a POST body is replayed on every attempt', async () => {
    const r = await request(port, '/fail/2/500/i', { method: 'POST', body: 'payload-123' });
    assert.equal(r.status, 200);
    assert.deepEqual(
      up.seen.filter((s) => s.url === '/fail/2/500/i').map((s) => s.body),
      ['payload-123', 'payload-123', 'payload-123'],
    );
  });

  it('connect-failure with previous_hosts: the retry goes to the other host', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await request(port, `/mixed/${i}`, { headers: { host: 'mixed' } });
      assert.equal(r.status, 200, `request ${i}`);
    }
    // Round robin sends every other request to the dead host first.
    assert.ok((await stat(px.admin, 'cluster.mixed.upstream_rq_retry'))! >= 5);
  });

  it('max_retries 0: the retry overflows (UO), the upstream answer passes through', async () => {
    const r = await request(port, '/fail/1/500/j', { headers: { 'x-policy': 'nobudget' } });
    assert.equal(r.status, 500);
    assert.equal(await stat(px.admin, 'cluster.nobudget.upstream_rq_retry_overflow'), 1);
    assert.deepEqual(await logLines(log, '/fail/1/500/j '), ['/fail/1/500/j 500 UO']);
  });

  it('back-off: uniform below base·2ⁿ, capped at max', () => {
    const top = new JitteredBackOff(25, 250, () => 0.999999);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => top.nextMs()),
      [24, 49, 99, 199, 249, 249],
    );
    const zero = new JitteredBackOff(25, 250, () => 0);
    assert.equal(zero.nextMs(), 0);
  });
});

describe('retries to an HTTP/2 upstream', () => {
  let server: http2.Http2Server;
  let px: Running;
  let port: number;
  const seen: { path: string; body: string }[] = [];
  const log = tempLog();
  before(async () => {
    const counts = new Map<string, number>();
    server = http2.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url;
        seen.push({ path, body });
        const n = (counts.get(path) ?? 0) + 1;
        counts.set(path, n);
        const failFirst = Number(/^\/fail\/(\d+)/.exec(path)?.[1] ?? 99);
        res.writeHead(n <= failFirst ? 503 : 200);
        res.end(`attempt ${n}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const h2port = (server.address() as AddressInfo).port;
    px = await startProxy(
      bootstrap({
        log,
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: /}
    route: {cluster: h2, retry_policy: {retry_on: 5xx, num_retries: 2, retry_back_off: {base_interval: 0.001s}}}`,
        clusters: staticCluster(
          'h2',
          [h2port],
          `
typed_extension_protocol_options:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    explicit_http_config: {http2_protocol_options: {}}`,
        ),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    server.close();
  });

  it('1 + 2 attempts, final 503 with URX; a POST body replayed; success after a retry', async () => {
    const r = await request(port, '/always', { method: 'POST', body: 'h2-body' });
    assert.equal(r.status, 503);
    assert.deepEqual(
      seen.filter((s) => s.path === '/always').map((s) => s.body),
      ['h2-body', 'h2-body', 'h2-body'],
    );
    assert.deepEqual(await logLines(log, '/always '), ['/always 503 URX']);
    const ok = await request(port, '/fail/1');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'attempt 2');
  });
});
