// Scenario 36: the workload certificate rotates over SDS mid-traffic. Sequential keep-alive
// requests and fresh connections made while `default` is replaced every few requests all get 200.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startProxy, startUpstream, type Running } from '../helpers.js';
import { certSecret, httpsGet, makeCa, sdsRef, startSds, tlsBootstrap, type TestCa } from './fixtures.js';

describe('certificate rotation without dropping traffic', () => {
  let ca: TestCa;
  let sds: Awaited<ReturnType<typeof startSds>>;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    ca = await makeCa();
    sds = await startSds();
    sds.sds.set(certSecret('default', await ca.issue('advertisement', ['www.weather.com'])));
    up = await startUpstream('advertisement');
    px = await startProxy(
      tlsBootstrap({
        node: '{id: sidecar, cluster: advertisement}',
        tlsContext: `common_tls_context:
  tls_certificate_sds_secret_configs: [${sdsRef('default')}]`,
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
    await ca.close();
  });

  it('60 requests while the secret rotates every 10: all 200', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const statuses: (number | string | undefined)[] = [];
    const serials = new Set<string>();
    try {
      for (let i = 0; i < 60; i++) {
        if (i % 10 === 5)
          sds.sds.set(certSecret('default', await ca.issue('advertisement', ['www.weather.com'])));
        const kept = await httpsGet(port, { ca: ca.root, agent });
        statuses.push(kept.status ?? kept.error);
        const fresh = await new Promise<string>((resolve) => {
          const req = https.get(
            { host: '127.0.0.1', port, ca: ca.root, servername: 'www.weather.com', agent: false },
            (res) => {
              serials.add((res.socket as import('node:tls').TLSSocket).getPeerCertificate().serialNumber);
              res.resume();
              res.on('end', () => resolve(String(res.statusCode)));
            },
          );
          req.on('error', (e: Error & { code?: string }) => resolve(e.code ?? e.message));
        });
        statuses.push(Number(fresh) || fresh);
      }
    } finally {
      agent.destroy();
    }
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
    );
    // New handshakes did pick up rotated certificates.
    assert.ok(serials.size > 1, `one certificate served throughout: ${[...serials].join()}`);
  });
});
