// TCP between sidecars over Istio mTLS: the client proxy's tcp_proxy opens its upstream through the
// cluster's UpstreamTlsContext (SDS cert, SAN check, Istio ALPN); the server proxy's STRICT
// listener terminates it and network ext_authz asks a real grpc-js Authorization server, which
// sees both SPIFFE principals (and the client certificate) and admits only frontend. A wrong SAN
// fails the upstream (UF) and nothing reaches the app.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { H2, indent, startProxy, staticCluster, stat, tcpExchange, type Running } from '../helpers.js';
import { startGrpcAuthz, type GrpcAuthz } from '../security/fixtures.js';
import {
  caSecret,
  certSecret,
  istioUpstreamTls,
  makeCa,
  sdsCluster,
  sdsRef,
  spiffe,
  startSds,
  type TestCa,
} from './fixtures.js';

/** Admits only the frontend's SPIFFE principal. */
function startAuthz(): Promise<GrpcAuthz> {
  return startGrpcAuthz((req, reply) =>
    reply({ status: { code: req.attributes?.source?.principal === spiffe('frontend') ? 0 : 7 } }),
  );
}

const upstreamTls = (san: string): string =>
  istioUpstreamTls(san, 'outbound_.9000_._.tcp-echo.default.svc.cluster.local');

const tcpProxy = (listener: string, cluster: string): string => `
  - name: ${listener}
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: ${listener}
          cluster: ${cluster}`;

describe('TCP over sidecar mTLS', () => {
  let ca: TestCa;
  let sdsServer: Awaited<ReturnType<typeof startSds>>;
  let sdsClient: Awaited<ReturnType<typeof startSds>>;
  let authz: Awaited<ReturnType<typeof startAuthz>>;
  let echo: net.Server;
  let received = 0;
  let server: Running;
  let client: Running;
  let inbound: number;

  before(async () => {
    ca = await makeCa();
    [sdsServer, sdsClient, authz] = await Promise.all([startSds(), startSds(), startAuthz()]);
    sdsServer.sds.set(certSecret('default', await ca.issue('tcp-echo')), caSecret('ROOTCA', ca.root));
    sdsClient.sds.set(certSecret('default', await ca.issue('frontend')), caSecret('ROOTCA', ca.root));
    echo = net.createServer((s) => s.on('data', (c) => ((received += c.length), s.write(`echo:${c}`))));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    server = await startProxy(`
node: {id: "sidecar~127.0.0.2~tcp-echo.default~default.svc.cluster.local", cluster: tcp-echo}
static_resources:
  listeners:
  - name: inbound
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            alpn_protocols: [istio-peer-exchange, istio]
            tls_certificate_sds_secret_configs: [${sdsRef('default')}]
            combined_validation_context:
              default_validation_context: {}
              validation_context_sds_secret_config: ${sdsRef('ROOTCA')}
      filters:
      - name: envoy.filters.network.ext_authz
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz
          stat_prefix: tcp.
          include_peer_certificate: true
          grpc_service: {envoy_grpc: {cluster_name: authz}, timeout: 2s}
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: inbound
          cluster: app
  clusters:
${indent(staticCluster('app', [(echo.address() as AddressInfo).port]), 2)}
${indent(staticCluster('authz', [authz.port], H2), 2)}
${indent(sdsCluster(sdsServer.port), 2)}
`);
    inbound = await server.port('inbound');
    client = await startProxy(`
node: {id: "sidecar~127.0.0.3~frontend.default~default.svc.cluster.local", cluster: frontend}
static_resources:
  listeners:
${tcpProxy('mtls', 'mtls')}
${tcpProxy('wrong_san', 'wrong-san')}
  clusters:
${indent(staticCluster('mtls', [inbound], upstreamTls(spiffe('tcp-echo'))), 2)}
${indent(staticCluster('wrong-san', [inbound], upstreamTls(spiffe('reviews'))), 2)}
${indent(sdsCluster(sdsClient.port), 2)}
`);
  });
  after(async () => {
    await client.stop();
    await server.stop();
    sdsServer.close();
    sdsClient.close();
    authz.close();
    echo.close();
    await ca.close();
  });

  it("the upstream is mTLS: the server side's ext_authz sees both principals and the peer certificate, admits frontend", async () => {
    assert.equal(await tcpExchange(await client.port('mtls')), 'echo:ping');
    const attrs = authz.seen.at(-1)!.attributes;
    assert.equal(attrs.source.principal, spiffe('frontend'));
    assert.equal(attrs.destination.principal, spiffe('tcp-echo'));
    // include_peer_certificate: the client's leaf, URL-encoded PEM.
    const cert = new X509Certificate(decodeURIComponent(attrs.source.certificate));
    assert.match(cert.subjectAltName ?? '', new RegExp(`URI:${spiffe('frontend')}`));
    assert.equal(await stat(server.admin, 'ext_authz.tcp..ok'), 1);
  });

  it('a server certificate whose SAN is not the expected one fails the upstream: UF, nothing sent', async () => {
    const before = received;
    assert.equal(await tcpExchange(await client.port('wrong_san')), '');
    assert.equal(received, before);
    assert.equal(await stat(client.admin, 'cluster.wrong-san.upstream_cx_connect_fail'), 1);
  });

  it('a plaintext caller is refused by the STRICT listener', async () => {
    const before = received;
    assert.equal(await tcpExchange(inbound, { payload: 'GET / HTTP/1.1\r\n\r\n' }), '');
    assert.equal(received, before);
  });
});
