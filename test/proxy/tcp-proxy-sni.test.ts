// tcp_proxy and TLS passthrough: tls_inspector reads SNI from the ClientHello without consuming
// it, filter chains route by server_names (exact beats wildcard, default chain last), and the
// upstream receives the untouched handshake. Plus plain TCP proxying with weighted clusters.
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { indent, startProxy, staticCluster, stat, type Running } from './helpers.js';

interface Sink {
  port: number;
  first: Buffer[];
  server: net.Server;
}

async function sink(reply: string): Promise<Sink> {
  const first: Buffer[] = [];
  const server = net.createServer((s) => {
    s.once('data', (c: Buffer) => {
      first.push(c);
      s.end(reply);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, first, server };
}

const tcp = (cluster: string): string => `
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: ${cluster}
          cluster: ${cluster}`;

function tlsHello(port: number, servername: string): Promise<void> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host: '127.0.0.1',
      port,
      servername,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

describe('TCP proxy and SNI passthrough', () => {
  let a: Sink, b: Sink, d: Sink, plain: Sink;
  let px: Running;
  before(async () => {
    [a, b, d, plain] = await Promise.all([sink('A'), sink('B'), sink('D'), sink('PLAIN')]);
    px = await startProxy(`
node: {id: t, cluster: t}
static_resources:
  listeners:
  - name: tls
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
    filter_chains:
    - filter_chain_match: {server_names: ["*.b.example"], transport_protocol: tls}
      filters:${tcp('b')}
    - filter_chain_match: {server_names: ["api.b.example", "a.example"], transport_protocol: tls}
      filters:${tcp('a')}
    default_filter_chain:
      filters:${tcp('d')}
  - name: plain
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: plain
          weighted_clusters: {clusters: [{name: plain, weight: 1}]}
          idle_timeout: 10s
  clusters:
${indent([staticCluster('a', [a.port]), staticCluster('b', [b.port]), staticCluster('d', [d.port]), staticCluster('plain', [plain.port])].join(''), 2)}
`);
  });
  after(async () => {
    await px.stop();
    for (const s of [a, b, d, plain]) s.server.close();
  });

  const cases: [string, () => Sink][] = [
    ['a.example', () => a],
    ['api.b.example', () => a],
    ['x.b.example', () => b],
    ['other.example', () => d],
  ];
  for (const [sni, want] of cases)
    it(`SNI ${sni} → ${sni === 'other.example' ? 'default chain' : 'matching chain'}`, async () => {
      const port = await px.port('tls');
      const target = want();
      const before = target.first.length;
      await tlsHello(port, sni);
      assert.equal(target.first.length, before + 1);
      const hello = target.first[target.first.length - 1]!;
      assert.equal(hello[0], 0x16, 'the ClientHello reaches the upstream untouched');
      assert.ok(hello.includes(Buffer.from(sni)), 'SNI present in the forwarded bytes');
    });

  it('plain TCP is piped both ways', async () => {
    const port = await px.port('plain');
    const got = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('ping'));
      let buf = '';
      s.on('data', (c: Buffer) => (buf += c.toString()));
      s.on('close', () => resolve(buf));
      s.on('error', reject);
    });
    assert.equal(got, 'PLAIN');
    assert.equal(plain.first.at(-1)?.toString(), 'ping');
    assert.equal(await stat(px.admin, 'tcp.plain.downstream_cx_total'), 1);
  });
});
