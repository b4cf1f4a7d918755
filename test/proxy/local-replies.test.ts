// Envoy's local replies and response flags: 404 NR, 503 NC, 503 UH "no healthy upstream",
// 503 UF "upstream connect error …", 503 UC on upstream reset, 504 UT "upstream request timeout",
// as seen by the client and in the access log.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
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

describe('local replies and response flags', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  const log = join(mkdtempSync(join(tmpdir(), 'weft-')), 'access.log');
  before(async () => {
    up = await startUpstream();
    const closed = await startUpstream();
    const deadPort = closed.port;
    await closed.close();
    px = await startProxy(
      httpBootstrap(
        `
virtual_hosts:
- name: all
  domains: [example.com]
  routes:
  - {match: {prefix: /dead}, route: {cluster: dead}}
  - {match: {prefix: /empty}, route: {cluster: empty}}
  - {match: {prefix: /missing}, route: {cluster: nonexistent}}
  - {match: {prefix: /slow}, route: {cluster: backend, timeout: 0.1s, prefix_rewrite: /delay/2000}}
  - {match: {prefix: /}, route: {cluster: backend}}`,
        staticCluster('backend', [up.port]) +
          staticCluster('dead', [deadPort]) +
          `
- name: empty
  type: STATIC
  load_assignment: {cluster_name: empty}`,
        `
access_log:
- name: envoy.access_loggers.file
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
    path: ${log}
    log_format: {text_format: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n"}`,
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  /** The access-log line for `path`, once the logger has written it (writes are asynchronous). */
  async function logLine(path: string): Promise<string | undefined> {
    for (let i = 0; i < 100; i++) {
      const line = readFileSync(log, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${path} `));
      if (line) return line;
      await new Promise((res) => setTimeout(res, 20));
    }
    return undefined;
  }

  const cases: [string, number, string, string][] = [
    ['/nowhere', 404, '', 'NR'],
    ['/missing', 503, '', 'NC'],
    ['/empty', 503, 'no healthy upstream', 'UH'],
    [
      '/dead',
      503,
      'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111',
      'UF',
    ],
    [
      '/reset',
      503,
      'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
      'UC',
    ],
    ['/slow', 504, 'upstream request timeout', 'UT'],
  ];
  for (const [path, status, body, flag] of cases)
    it(`${path} → ${status} ${flag}`, async () => {
      const host = path === '/nowhere' ? 'other.org' : 'example.com';
      const r = await request(port, path, { headers: { host } });
      assert.equal(r.status, status);
      assert.equal(r.body, body);
      if (body) assert.equal(r.headers['content-type'], 'text/plain');
      const line = await logLine(path);
      assert.ok(line, `no access log line for ${path}`);
      assert.equal(line.split(' ')[2], flag);
    });

  it('a proxied response has no flags ("-") and details via_upstream', async () => {
    const r = await request(port, '/ok', { headers: { host: 'example.com' } });
    assert.equal(r.status, 200);
    assert.equal(await logLine('/ok'), '/ok 200 - via_upstream');
  });

  it('a client that goes away before the response is logged with DC and the upstream request is reset', async () => {
    const s = net.connect(port, '127.0.0.1');
    s.write('GET /delay/400 HTTP/1.1\r\nhost: example.com\r\n\r\n');
    await new Promise((res) => setTimeout(res, 80));
    s.destroy();
    const line = await logLine('/delay/400');
    assert.equal(line?.split(' ').slice(1, 3).join(' '), '0 DC');
    assert.equal(await stat(px.admin, 'cluster.backend.upstream_rq_tx_reset'), 1);
  });
});
