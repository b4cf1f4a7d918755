// Scenario 31: the gateway's credentialName secret arrives over SDS (the `sds-grpc` cluster, as
// Istio's bootstrap sets up) and is replaced by a certificate from a new CA without a restart:
// clients trusting only the old CA fail, the new CA succeeds, an open keep-alive connection
// keeps working on the certificate it started with.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startProxy, startUpstream, type Running } from '../helpers.js';
import { certSecret, httpsGet, makeCa, sdsRef, startSds, tlsBootstrap, type TestCa } from './fixtures.js';

describe('credential swap over SDS', () => {
  let oldCa: TestCa;
  let newCa: TestCa;
  let sds: Awaited<ReturnType<typeof startSds>>;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    [oldCa, newCa] = await Promise.all([makeCa(), makeCa()]);
    sds = await startSds();
    up = await startUpstream('frontend');
    // The proxy starts before the secret exists: its listener waits for it (warming).
    px = await startProxy(
      tlsBootstrap({
        node: '{id: gw, cluster: gw}',
        tlsContext: `common_tls_context:
  tls_certificate_sds_secret_configs: [${sdsRef('kubernetes://weather-credential')}]`,
        backendPort: up.port,
        sdsPort: sds.port,
      }),
    );
    port = await px.port('https');
  });
  after(async () => {
    await px.stop();
    sds.close();
    await up.close();
    await Promise.all([oldCa.close(), newCa.close()]);
  });

  it('a handshake waits for a secret that has not arrived, then uses it', async () => {
    const pending = httpsGet(port, { ca: oldCa.root });
    sds.sds.set(certSecret('kubernetes://weather-credential', await oldCa.issue('gw', ['www.weather.com'])));
    assert.equal((await pending).status, 200);
  });

  it('swaps the certificate live; an open connection keeps working', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await httpsGet(port, { ca: oldCa.root, agent })).status, 200);
      sds.sds.set(
        certSecret('kubernetes://weather-credential', await newCa.issue('gw', ['www.weather.com'])),
      );
      // New handshakes present the new certificate (the push is asynchronous: poll briefly).
      let r = await httpsGet(port, { ca: newCa.root });
      for (let i = 0; i < 50 && r.status !== 200; i++) {
        await new Promise((res) => setTimeout(res, 20));
        r = await httpsGet(port, { ca: newCa.root });
      }
      assert.equal(r.status, 200);
      const old = await httpsGet(port, { ca: oldCa.root });
      assert.equal(old.status, undefined);
      assert.match(old.error ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER/);
      // The keep-alive connection made before the swap still serves requests.
      const again = await httpsGet(port, { ca: oldCa.root, agent });
      assert.equal(again.status, 200);
    } finally {
      agent.destroy();
    }
  });
});
