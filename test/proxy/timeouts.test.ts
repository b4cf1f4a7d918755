// Connection-manager and route timeouts: stream_idle_timeout (408 "stream timeout", flag SI),
// request_timeout (408 "request timeout" while the body is still arriving), per-route timeout
// overridden by x-envoy-upstream-rq-timeout-ms. Timers are short real timers on loopback.
import assert from 'node:assert/strict';
import net from 'node:net';
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

function raw(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(data));
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString();
      if (/\r\n\r\n[\s\S]*$/.test(buf) && /content-length: (\d+)/i.test(buf)) {
        const len = Number(/content-length: (\d+)/i.exec(buf)![1]);
        if (buf.length - buf.indexOf('\r\n\r\n') - 4 >= len) s.destroy();
      }
    });
    s.on('close', () => resolve(buf));
    s.on('error', reject);
  });
}

describe('timeouts', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    up = await startUpstream();
    px = await startProxy(
      httpBootstrap(
        `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - {match: {prefix: /slow-body}, route: {cluster: backend, timeout: 0s}}
  - {match: {prefix: /idle}, route: {cluster: backend, timeout: 0s, prefix_rewrite: /delay/1500}}
  - {match: {prefix: /}, route: {cluster: backend, timeout: 0.15s}}`,
        staticCluster('backend', [up.port]),
        'stream_idle_timeout: 0.3s\nrequest_timeout: 0.2s\nrequest_headers_timeout: 0.2s',
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('route timeout → 504 upstream request timeout, counted as upstream_rq_timeout', async () => {
    const r = await request(port, '/delay/1000');
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_timeout'), 1);
  });

  it('x-envoy-upstream-rq-timeout-ms extends the route timeout', async () => {
    const r = await request(port, '/delay/50', { headers: { 'x-envoy-upstream-rq-timeout-ms': '400' } });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).headers['x-envoy-expected-rq-timeout-ms'], '400');
  });

  it('request_timeout while the body is still arriving → 408', async () => {
    const out = await raw(port, 'POST /slow-body HTTP/1.1\r\nhost: a\r\ncontent-length: 100\r\n\r\npartial');
    assert.match(out, /^HTTP\/1\.1 408 /);
    assert.match(out, /request timeout$/);
  });

  it('stream_idle_timeout with no response yet → 408 stream timeout', async () => {
    const t0 = Date.now();
    const r = await request(port, '/idle');
    assert.equal(r.status, 408);
    assert.equal(r.body, 'stream timeout');
    assert.ok(Date.now() - t0 < 1200, 'fired before the upstream answered');
    assert.equal(await stat(px.admin, 'http.ingress.downstream_rq_idle_timeout'), 1);
  });

  it('request_headers_timeout closes a connection whose headers never finish (408)', async () => {
    const t0 = Date.now();
    const out = await raw(port, 'GET / HTTP/1.1\r\nhost: a\r\nx-slow: ');
    assert.match(out, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  });
});
