// Upstream TLS session resumption (Envoy's max_session_keys, default 1): a new mTLS connection to
// an endpoint resumes the last session instead of a full handshake; a rotated client certificate
// is never hidden behind a session made with the old one; max_session_keys 0 turns it off.
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { request, startProxy, type Running } from '../helpers.js';
import { bootstrap, tempLog } from '../resilience/fixtures.js';
import {
  caSecret,
  certSecret,
  makeCa,
  sdsCluster,
  sdsRef,
  spiffe,
  startSds,
  type TestCa,
} from './fixtures.js';

interface Seen {
  resumed: boolean;
  /** the client certificate the server sees (from the session when resumed) */
  fingerprint: string;
}

describe('upstream TLS session resumption', () => {
  let ca: TestCa;
  let sds: Awaited<ReturnType<typeof startSds>>;
  let server: https.Server;
  let px: Running;
  let port: number;
  before(async () => {
    ca = await makeCa();
    sds = await startSds();
    sds.sds.set(certSecret('default', await ca.issue('frontend')));
    sds.sds.set(caSecret('ROOTCA', ca.root));
    const own = await ca.issue('advertisement');
    // An mTLS upstream that says, per request, whether its connection resumed a session.
    server = https.createServer(
      { cert: own.certChainPem, key: own.keyPem, ca: ca.root, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const s = req.socket as TLSSocket;
        const seen: Seen = {
          resumed: s.isSessionReused(),
          fingerprint: s.getPeerCertificate().fingerprint256,
        };
        res.end(JSON.stringify(seen));
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const up = (server.address() as AddressInfo).port;
    const cluster = (name: string, extra: string): string => `
- name: ${name}
  connect_timeout: 1s
  type: STATIC
  max_requests_per_connection: 1
  load_assignment:
    cluster_name: ${name}
    endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${up}}}}}]}]
  transport_socket:
    name: envoy.transport_sockets.tls
    typed_config:
      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
      ${extra}
      common_tls_context:
        tls_certificate_sds_secret_configs: [${sdsRef('default')}]
        combined_validation_context:
          default_validation_context: {match_subject_alt_names: [{exact: "${spiffe('advertisement')}"}]}
          validation_context_sds_secret_config: ${sdsRef('ROOTCA')}`;
    px = await startProxy(
      bootstrap({
        log: tempLog(),
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - {match: {prefix: /off/}, route: {cluster: off}}
  - {match: {prefix: /}, route: {cluster: mesh}}`,
        clusters: `${cluster('mesh', '')}\n${cluster('off', 'max_session_keys: 0')}\n${sdsCluster(sds.port)}`,
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    sds.close();
    server.closeAllConnections();
    server.close();
    await ca.close();
  });

  /** One request through the proxy on a new upstream connection (max_requests_per_connection 1). */
  async function get(path: string): Promise<Seen> {
    const r = await request(port, path);
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as Seen;
  }

  it('new connections resume the last session; a rotated certificate starts a full handshake', async () => {
    const first = await get('/a');
    assert.equal(first.resumed, false);
    for (const p of ['/b', '/c']) assert.deepEqual(await get(p), { ...first, resumed: true }, p);

    sds.sds.set(certSecret('default', await ca.issue('frontend')));
    let next = await get('/d');
    for (let i = 0; i < 100 && next.fingerprint === first.fingerprint; i++) {
      assert.equal(next.resumed, true, 'the old certificate is only seen through its own session');
      await new Promise((r) => setTimeout(r, 20));
      next = await get('/d');
    }
    assert.notEqual(next.fingerprint, first.fingerprint, 'the rotated certificate reached the upstream');
    assert.equal(next.resumed, false, 'the first connection with the new certificate is a full handshake');
    assert.deepEqual(await get('/e'), { ...next, resumed: true });
  });

  it('max_session_keys 0: every connection is a full handshake', async () => {
    for (const p of ['/off/1', '/off/2', '/off/3']) assert.equal((await get(p)).resumed, false, p);
  });
});
