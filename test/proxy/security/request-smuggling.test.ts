// Request smuggling attempts must be refused by the proxy with 400 and never reach the upstream:
// Content-Length together with Transfer-Encoding, two different Content-Lengths, obs-fold header
// continuation, and a bare-LF request line (RFC 9112 §6.3, §5.2; Envoy rejects all of these).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpBootstrap, startProxy, staticCluster, type Running } from '../helpers.js';
import { countingUpstream, type CountingUpstream } from '../resilience/fixtures.js';

/** Sends raw bytes on a fresh connection; resolves with what came back before the close. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (c) => (out += c.toString()));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.setTimeout(3000, () => s.destroy());
  });
}

describe('request smuggling', () => {
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  before(async () => {
    up = await countingUpstream();
    px = await startProxy(
      httpBootstrap(
        `virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: backend}}]}]`,
        staticCluster('backend', [up.port]),
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  const attacks: [string, string][] = [
    [
      'Content-Length with Transfer-Encoding',
      'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    ],
    [
      'two different Content-Lengths',
      'POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd',
    ],
    ['obs-fold continuation line', 'GET /c HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n'],
    [
      'Transfer-Encoding that is not chunked last',
      'POST /d HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
    ],
  ];
  for (const [name, bytes] of attacks)
    it(`${name} → 400, nothing reaches the upstream`, async () => {
      const before = up.seen.length;
      const reply = await raw(port, bytes);
      assert.match(reply, /^HTTP\/1\.1 400 /, reply || '(connection closed without a response)');
      assert.equal(up.seen.length, before, 'the upstream saw a request');
    });

  it('a well-formed request on the same listener still passes', async () => {
    const reply = await raw(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 200 /);
  });
});
