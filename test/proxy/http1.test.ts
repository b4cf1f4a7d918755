// HTTP/1.1 through the connection manager: keep-alive reuse, chunked bodies, pipelining,
// request-id and forwarding headers, Envoy's x-envoy-* headers.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  httpBootstrap,
  request,
  startProxy,
  startUpstream,
  stat,
  staticCluster,
  type Echo,
  type Running,
} from './helpers.js';

describe('HTTP/1.1', () => {
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
  - match: {prefix: /}
    route: {cluster: backend, timeout: 3s}`,
        staticCluster('backend', [up.port]),
        'use_remote_address: true',
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('forwards method, path, query and body; adds Envoy headers', async () => {
    const r = await request(port, '/a/b?c=d', {
      method: 'POST',
      body: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(r.status, 200);
    const e = JSON.parse(r.body) as Echo;
    assert.equal(e.method, 'POST');
    assert.equal(e.url, '/a/b?c=d');
    assert.equal(e.body, 'hello');
    assert.match(String(e.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(e.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(e.headers['x-forwarded-proto'], 'http');
    assert.equal(e.headers['x-envoy-expected-rq-timeout-ms'], '3000');
    assert.match(String(r.headers['x-envoy-upstream-service-time']), /^\d+$/);
    assert.equal(r.headers.server, 'envoy');
  });

  it('appends to an existing x-forwarded-for and keeps an internal x-request-id', async () => {
    const r = await request(port, '/', { headers: { 'x-forwarded-for': '10.1.2.3', 'x-request-id': 'abc' } });
    const e = JSON.parse(r.body) as Echo;
    assert.equal(e.headers['x-forwarded-for'], '10.1.2.3,127.0.0.1');
    assert.equal(e.headers['x-request-id'], 'abc');
  });

  it('streams a chunked request body', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/chunked', method: 'PUT', agent: false },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.write('part1-');
      setImmediate(() => req.end('part2'));
    });
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as Echo).body, 'part1-part2');
  });

  it('reuses downstream and upstream connections (keep-alive)', async () => {
    const before = (await stat(px.admin, 'cluster.backend.upstream_cx_total')) ?? 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    agent.on('free', (s) => sockets.add(s));
    for (let i = 0; i < 5; i++) assert.equal((await request(port, `/k${i}`, { agent })).status, 200);
    agent.destroy();
    assert.equal(sockets.size, 1);
    const afterCx = (await stat(px.admin, 'cluster.backend.upstream_cx_total')) ?? 0;
    assert.ok(afterCx - before <= 1, `upstream connections opened: ${afterCx - before}`);
  });

  it('answers pipelined requests in order', async () => {
    const s = net.connect(port, '127.0.0.1');
    const data: Buffer[] = [];
    s.on('data', (c: Buffer) => data.push(c));
    s.write(
      'GET /delay/50 HTTP/1.1\r\nhost: a\r\n\r\nGET /second HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n',
    );
    await new Promise((r) => s.on('close', r));
    const text = Buffer.concat(data).toString();
    const first = text.indexOf('"/delay/50"');
    const second = text.indexOf('"/second"');
    assert.ok(first > 0 && second > first, text);
    assert.equal(text.match(/HTTP\/1\.1 200/g)?.length, 2);
  });

  it('counts requests under Envoy stat names', async () => {
    assert.ok(((await stat(px.admin, 'http.ingress.downstream_rq_2xx')) ?? 0) >= 5);
    assert.ok(((await stat(px.admin, 'cluster.backend.upstream_rq_200')) ?? 0) >= 5);
    assert.ok(((await stat(px.admin, 'listener.127.0.0.1_0.downstream_cx_total')) ?? 0) >= 1);
  });

  it('rejects headers over max_request_headers_kb (60 KiB default) with 431', async () => {
    const s = net.connect(port, '127.0.0.1');
    const out: Buffer[] = [];
    s.on('data', (c: Buffer) => out.push(c));
    s.write(`GET / HTTP/1.1\r\nhost: a\r\nx-big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    await new Promise((r) => s.on('close', r));
    assert.match(Buffer.concat(out).toString(), /^HTTP\/1\.1 431 /);
  });
});
