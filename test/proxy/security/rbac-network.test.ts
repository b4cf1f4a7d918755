// envoy.filters.network.rbac before tcp_proxy: an allowed connection is piped to the upstream, a
// denied one is closed before any byte reaches it; <stat_prefix>rbac.* stats.
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startProxy, staticCluster, stat, tcpExchange, type Running } from '../helpers.js';

function listener(name: string, rules: string): string {
  return `
  - name: ${name}
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.rbac
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
          stat_prefix: tcp.
          enforcement_type: CONTINUOUS
${rules.replace(/^/gm, '          ')}
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: ${name}
          cluster: echo`;
}

describe('network RBAC', () => {
  let echo: net.Server;
  let received = 0;
  let px: Running;
  before(async () => {
    echo = net.createServer((s) =>
      s.on('data', (c) => ((received += c.length), s.write(`echo:${c.toString()}`))),
    );
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const port = (echo.address() as AddressInfo).port;
    px = await startProxy(`
node: {id: test, cluster: test}
static_resources:
  listeners:
${listener(
  'allowed',
  `rules:
  policies:
    loopback:
      permissions: [{any: true}]
      principals: [{source_ip: {address_prefix: 127.0.0.0, prefix_len: 8}}]`,
)}
${listener(
  'denied',
  `rules:
  action: DENY
  policies:
    not-tls:
      permissions: [{not_rule: {requested_server_name: {exact: secure.example}}}]
      principals: [{not_id: {authenticated: {}}}]`,
)}
  clusters:
${staticCluster('echo', [port]).replace(/^/gm, '  ')}
`);
  });
  after(async () => {
    await px.stop();
    echo.close();
  });

  it('allowed by source_ip: the connection reaches the upstream', async () => {
    assert.equal(await tcpExchange(await px.port('allowed')), 'echo:ping');
    assert.equal(await stat(px.admin, 'tcp.rbac.allowed'), 1);
  });

  it('denied (plaintext, no SNI): closed, nothing forwarded', async () => {
    const before = received;
    assert.equal(await tcpExchange(await px.port('denied')), '');
    assert.equal(received, before);
    assert.equal(await stat(px.admin, 'tcp.rbac.denied'), 1);
  });
});
