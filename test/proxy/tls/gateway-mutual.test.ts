// Scenario 30: a gateway listener in TLS MUTUAL mode (require_client_certificate with the CA from
// an SDS name): a client without a certificate is refused in the handshake, one with a
// certificate from the CA gets 200, one from another CA is refused too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startProxy, startUpstream, type Running } from '../helpers.js';
import {
  httpsGet,
  inlineCertSecret,
  makeCa,
  sdsRef,
  tlsBootstrap,
  type Issued,
  type TestCa,
} from './fixtures.js';

describe('gateway TLS MUTUAL', () => {
  let ca: TestCa;
  let other: TestCa;
  let client: Issued;
  let stranger: Issued;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    [ca, other] = await Promise.all([makeCa(), makeCa()]);
    const cert = await ca.issue('istio-ingressgateway', ['www.weather.com']);
    client = await ca.issue('customer');
    stranger = await other.issue('customer');
    up = await startUpstream('frontend');
    px = await startProxy(
      tlsBootstrap({
        node: '{id: gw, cluster: gw}',
        secrets: `${inlineCertSecret('kubernetes://weather-credential', cert)}
- name: kubernetes://weather-credential-cacert
  validation_context: {trusted_ca: {inline_string: ${JSON.stringify(ca.root)}}}`,
        tlsContext: `require_client_certificate: true
common_tls_context:
  tls_certificate_sds_secret_configs: [${sdsRef('kubernetes://weather-credential', false)}]
  combined_validation_context:
    default_validation_context: {}
    validation_context_sds_secret_config: ${sdsRef('kubernetes://weather-credential-cacert', false)}`,
        backendPort: up.port,
      }),
    );
    port = await px.port('https');
  });
  after(async () => {
    await px.stop();
    await up.close();
    await Promise.all([ca.close(), other.close()]);
  });

  it('refuses a client without a certificate in the handshake', async () => {
    const r = await httpsGet(port, { ca: ca.root });
    assert.equal(r.status, undefined);
    assert.match(r.error ?? '', /ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET|HANDSHAKE_FAILURE/);
  });

  it('serves a client with a certificate from the CA', async () => {
    const r = await httpsGet(port, { ca: ca.root, cert: client.certChainPem, key: client.keyPem });
    assert.equal(r.status, 200);
  });

  it('refuses a client certificate from another CA', async () => {
    const r = await httpsGet(port, { ca: ca.root, cert: stranger.certChainPem, key: stranger.keyPem });
    assert.equal(r.status, undefined);
    assert.ok(r.error);
  });
});
