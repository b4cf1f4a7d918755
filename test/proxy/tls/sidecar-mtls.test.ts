// Scenarios 34/35: sidecar to sidecar. The client proxy's cluster speaks ISTIO_MUTUAL (SDS
// `default` and `ROOTCA`, SAN check against the server's service account, Istio's ALPN); the
// server proxy's inbound listener is STRICT (TLS chain only) or PERMISSIVE (tls_inspector picks
// the TLS or plaintext chain). A SAN mismatch is a 503 with flag UF in Envoy's words.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  indent,
  request,
  startProxy,
  startUpstream,
  staticCluster,
  type Echo,
  type Running,
} from '../helpers.js';
import {
  caSecret,
  certSecret,
  hcm,
  httpsGet,
  istioUpstreamTls,
  makeCa,
  sdsCluster,
  sdsRef,
  spiffe,
  startSds,
  type TestCa,
} from './fixtures.js';

const inboundTls = `
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            alpn_protocols: [h2, http/1.1]
            tls_certificate_sds_secret_configs: [${sdsRef('default')}]
            combined_validation_context:
              default_validation_context: {}
              validation_context_sds_secret_config: ${sdsRef('ROOTCA')}`;

// What Istio puts on a sidecar's inbound HCM.
const ISTIO_INBOUND_XFCC = [
  'forward_client_cert_details: APPEND_FORWARD',
  'set_current_client_cert_details: {subject: true, dns: true, uri: true}',
];

describe('sidecar-to-sidecar mTLS', () => {
  let ca: TestCa;
  let other: TestCa;
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let sdsServer: Awaited<ReturnType<typeof startSds>>;
  let sdsClient: Awaited<ReturnType<typeof startSds>>;
  let server: Running;
  let client: Running;
  let strict: number;
  let permissive: number;
  let serverCert: Awaited<ReturnType<TestCa['issue']>>;
  before(async () => {
    [ca, other] = await Promise.all([makeCa(), makeCa()]);
    [sdsServer, sdsClient] = await Promise.all([startSds(), startSds()]);
    serverCert = await ca.issue('advertisement');
    sdsServer.sds.set(certSecret('default', serverCert), caSecret('ROOTCA', ca.root));
    sdsClient.sds.set(certSecret('default', await ca.issue('frontend')), caSecret('ROOTCA', ca.root));
    app = await startUpstream('advertisement');
    server = await startProxy(`
node: {id: "sidecar~127.0.0.2~advertisement.default~default.svc.cluster.local", cluster: advertisement}
static_resources:
  listeners:
  - name: strict
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - transport_socket:
${indent(inboundTls, 8)}
      filters:
      - ${hcm('inbound', 'inbound_strict', ISTIO_INBOUND_XFCC)}
  - name: permissive
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
    filter_chains:
    - filter_chain_match: {transport_protocol: tls}
      transport_socket:
${indent(inboundTls, 8)}
      filters:
      - ${hcm('inbound', 'inbound_mtls')}
    - filter_chain_match: {transport_protocol: raw_buffer}
      filters:
      - ${hcm('inbound', 'inbound_plain', ISTIO_INBOUND_XFCC)}
  clusters:
${indent(staticCluster('inbound', [app.port]), 2)}
${indent(sdsCluster(sdsServer.port), 2)}
`);
    strict = await server.port('strict');
    permissive = await server.port('permissive');
    const out = (name: string, san: string, port: number): string =>
      indent(
        staticCluster(
          name,
          [port],
          istioUpstreamTls(san, 'outbound_.80_._.advertisement.default.svc.cluster.local'),
        ),
        2,
      );
    client = await startProxy(`
node: {id: "sidecar~127.0.0.3~frontend.default~default.svc.cluster.local", cluster: frontend}
static_resources:
  listeners:
  - name: outbound
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: outbound
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - {match: {prefix: /strict}, route: {cluster: mtls-strict}}
              - {match: {prefix: /permissive}, route: {cluster: mtls-permissive}}
              - {match: {prefix: /wrong-san}, route: {cluster: wrong-san}}
              - {match: {prefix: /plain}, route: {cluster: plain-strict}}
          http_filters: [{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]
  clusters:
${out('mtls-strict', spiffe('advertisement'), strict)}
${out('mtls-permissive', spiffe('advertisement'), permissive)}
${out('wrong-san', spiffe('reviews'), strict)}
${indent(staticCluster('plain-strict', [strict]), 2)}
${indent(sdsCluster(sdsClient.port), 2)}
`);
  });
  after(async () => {
    await client.stop();
    await server.stop();
    sdsServer.close();
    sdsClient.close();
    await app.close();
    await Promise.all([ca.close(), other.close()]);
  });

  it('ISTIO_MUTUAL outbound → STRICT inbound → app', async () => {
    const r = await request(await client.port('outbound'), '/strict');
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as Echo).upstream, 'advertisement');
  });

  it('the app sees its mTLS peer in x-forwarded-client-cert; a plaintext caller cannot forge one', async () => {
    const forged =
      'By=spiffe://cluster.local/ns/default/sa/advertisement;URI=spiffe://cluster.local/ns/default/sa/admin';
    const viaMtls = JSON.parse(
      (
        await request(await client.port('outbound'), '/strict', {
          headers: { 'x-forwarded-client-cert': forged },
        })
      ).body,
    ) as Echo;
    const xfcc = String(viaMtls.headers['x-forwarded-client-cert']);
    // The outbound hop strips what the app sent (SANITIZE); the inbound hop sets the real peer.
    assert.match(
      xfcc,
      new RegExp(
        `^By=${spiffe('advertisement')};Hash=[0-9a-f]{64};Subject="";URI=${spiffe('frontend')}$`.replaceAll(
          '/',
          '\\/',
        ),
      ),
    );
    const plain = JSON.parse(
      (await request(permissive, '/direct', { headers: { 'x-forwarded-client-cert': forged } })).body,
    ) as Echo;
    assert.equal(plain.headers['x-forwarded-client-cert'], undefined);
  });

  it('PERMISSIVE accepts mTLS and plaintext on one port', async () => {
    assert.equal((await request(await client.port('outbound'), '/permissive')).status, 200);
    assert.equal((await request(permissive, '/direct')).status, 200);
  });

  it('STRICT resets a plaintext client: 503 UC/UF through the client proxy', async () => {
    await assert.rejects(request(strict, '/direct'));
    const r = await request(await client.port('outbound'), '/plain');
    assert.equal(r.status, 503);
    assert.match(r.body, /^upstream connect error or disconnect\/reset before headers/);
  });

  it('STRICT refuses a client certificate from another CA', async () => {
    const c = await other.issue('frontend');
    const r = await httpsGet(strict, { ca: ca.root, cert: c.certChainPem, key: c.keyPem, servername: '' });
    assert.equal(r.status, undefined);
  });

  it('a ROOTCA update applies to the next handshake: a client certificate from a dropped root is refused', async () => {
    const client = await ca.issue('frontend');
    const get = (): ReturnType<typeof httpsGet> =>
      httpsGet(strict, {
        ca: ca.root,
        cert: client.certChainPem,
        key: client.keyPem,
        servername: '',
        anyServerName: true,
      });
    assert.equal((await get()).status, 200);
    // Only the roots change (the agent re-sends the same workload certificate with the new bundle).
    sdsServer.sds.set(certSecret('default', serverCert), caSecret('ROOTCA', other.root));
    try {
      let r = await get();
      for (let i = 0; i < 40 && r.status !== undefined; i++) {
        await new Promise((res) => setTimeout(res, 50));
        r = await get();
      }
      assert.equal(r.status, undefined, 'a certificate from the dropped root still got an answer');
    } finally {
      sdsServer.sds.set(certSecret('default', serverCert), caSecret('ROOTCA', ca.root));
    }
  });

  it('a server SAN that does not match is 503 UF with a TLS transport failure reason', async () => {
    const r = await request(await client.port('outbound'), '/wrong-san');
    assert.equal(r.status, 503);
    assert.equal(
      r.body,
      'upstream connect error or disconnect/reset before headers. reset reason: connection failure, ' +
        'transport failure reason: TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED',
    );
  });
});
