// Scenario 29: a gateway listener in TLS SIMPLE mode serving a certificate for www.weather.com
// (an SDS name resolved from static_resources.secrets): a client that does not trust the CA fails
// verification, one that does gets 200; HTTP/2 is negotiated by ALPN; /certs lists the cert.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { adminGet, startProxy, startUpstream, type Running } from '../helpers.js';
import { httpsGet, inlineCertSecret, makeCa, sdsRef, tlsBootstrap, type TestCa } from './fixtures.js';

describe('gateway TLS SIMPLE', () => {
  let ca: TestCa;
  let other: TestCa;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    [ca, other] = await Promise.all([makeCa(), makeCa()]);
    const cert = await ca.issue('istio-ingressgateway', ['www.weather.com']);
    up = await startUpstream('frontend');
    px = await startProxy(
      tlsBootstrap({
        node: '{id: "router~10.0.0.1~gw.istio-system~istio-system.svc.cluster.local", cluster: gw}',
        secrets: inlineCertSecret('kubernetes://weather-credential', cert),
        tlsContext: `common_tls_context:
  alpn_protocols: [h2, http/1.1]
  tls_certificate_sds_secret_configs: [${sdsRef('kubernetes://weather-credential', false)}]`,
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

  it('a client that does not trust the CA fails verification', async () => {
    const r = await httpsGet(port, { ca: other.root });
    assert.equal(r.status, undefined);
    assert.match(r.error ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
  });

  it('a client trusting the CA gets 200 from the backend, x-forwarded-proto https', async () => {
    const r = await httpsGet(port, { ca: ca.root });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body!).headers['x-forwarded-proto'], 'https');
  });

  it('the certificate is checked against the name the client asked for', async () => {
    const r = await httpsGet(port, { ca: ca.root, servername: 'api.weather.com' });
    assert.equal(r.error, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('negotiates h2 by ALPN', async () => {
    const s = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.root, servername: 'www.weather.com' });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = s.request({ ':path': '/h2' });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.resume();
      });
      assert.equal(status, 200);
      assert.equal(s.alpnProtocol, 'h2');
    } finally {
      s.close();
    }
  });

  it('/certs lists the served certificate with its SANs and days to expiry', async () => {
    const j = JSON.parse((await adminGet(px.admin, '/certs')).body);
    const chain = j.certificates[0].cert_chain[0];
    assert.deepEqual(chain.subject_alt_names, [
      { uri: 'spiffe://cluster.local/ns/default/sa/istio-ingressgateway' },
      { dns: 'www.weather.com' },
    ]);
    assert.equal(chain.days_until_expiration, '0');
    const dump = JSON.parse((await adminGet(px.admin, '/config_dump')).body);
    const secrets = dump.configs.find((c: { '@type': string }) => c['@type'].endsWith('SecretsConfigDump'));
    const key = secrets.static_secrets[0].secret.tls_certificate.private_key;
    assert.deepEqual(key, { inline_string: '[redacted]' });
  });
});
