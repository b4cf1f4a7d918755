// WebSocket upgrade through the HTTP/1.1 connection manager: allowed by upgrade_configs, the
// 101 is relayed and bytes flow both ways; without upgrade_configs the upgrade is refused (403).
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpBootstrap, startProxy, staticCluster, type Running } from './helpers.js';

function handshake(port: number, path: string): Promise<{ head: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('error', reject);
    s.write(
      `GET ${path} HTTP/1.1\r\nhost: ws.example\r\nconnection: Upgrade\r\nupgrade: websocket\r\n` +
        'sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    let buf = '';
    const onData = (c: Buffer): void => {
      buf += c.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      resolve({ head: buf.slice(0, end), socket: s });
    };
    s.on('data', onData);
  });
}

describe('WebSocket upgrade', () => {
  let up: http.Server;
  let px: Running;
  let port: number;
  before(async () => {
    // A raw upgrade echo server: answers 101 and echoes every byte upper-cased.
    up = http.createServer();
    up.on('upgrade', (req, socket) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n' +
          `x-path: ${req.url}\r\n\r\n`,
      );
      socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()));
    });
    await new Promise<void>((r) => up.listen(0, '127.0.0.1', () => r()));
    const upPort = (up.address() as AddressInfo).port;
    px = await startProxy(
      httpBootstrap(
        `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - {match: {prefix: /nows}, route: {cluster: ws, upgrade_configs: [{upgrade_type: websocket, enabled: false}]}}
  - {match: {prefix: /}, route: {cluster: ws}}`,
        staticCluster('ws', [upPort]),
        'upgrade_configs: [{upgrade_type: websocket}]',
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    up.closeAllConnections();
    up.close();
  });

  it('relays the 101 and splices the streams', async () => {
    const { head, socket } = await handshake(port, '/chat');
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /\r\nx-path: \/chat/);
    assert.match(head.toLowerCase(), /\r\nupgrade: websocket/);
    socket.write('hello');
    const echoed = await new Promise<string>((r) => socket.once('data', (c: Buffer) => r(c.toString())));
    assert.equal(echoed, 'HELLO');
    socket.destroy();
  });

  it('refuses the upgrade when the route disables it', async () => {
    const { head, socket } = await handshake(port, '/nows');
    assert.match(head, /^HTTP\/1\.1 403 /);
    socket.destroy();
  });
});
