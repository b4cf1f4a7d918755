// HTTP RBAC `authenticated` principals against the peer certificate of a mutual-TLS listener (the
// shape Istio generates for `principals`/`namespaces`): the right SPIFFE identity is admitted,
// another identity gets 403, and `authenticated: {}` alone admits any TLS peer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startProxy, staticCluster, type Running } from '../helpers.js';
import { httpsGet, makeCa, type Issued, type TestCa } from '../tls/fixtures.js';
import { bootstrap, countingUpstream, rbac, tempLog, type CountingUpstream } from './fixtures.js';

describe('RBAC principals from the TLS peer', () => {
  let ca: TestCa;
  let server: Issued;
  let frontend: Issued;
  let sleep: Issued;
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  before(async () => {
    ca = await makeCa();
    [server, frontend, sleep] = await Promise.all([
      ca.issue('forecast', ['forecast.weather']),
      ca.issue('frontend'),
      ca.issue('sleep'),
    ]);
    up = await countingUpstream();
    const transport = `
transport_socket:
  name: envoy.transport_sockets.tls
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
    require_client_certificate: true
    common_tls_context:
      tls_certificates:
      - certificate_chain: {inline_string: ${JSON.stringify(server.certChainPem)}}
        private_key: {inline_string: ${JSON.stringify(server.keyPem)}}
      validation_context: {trusted_ca: {inline_string: ${JSON.stringify(ca.root)}}}`;
    px = await startProxy(
      bootstrap({
        log: tempLog(),
        transport,
        clusters: staticCluster('backend', [up.port]),
        filters: rbac(`
rules:
  policies:
    ns[default]-policy[frontend-only]-rule[0]:
      permissions: [{url_path: {path: {prefix: /forecast}}}]
      principals:
      - authenticated:
          principal_name: {safe_regex: {regex: "spiffe://.+/ns/default/(.+/|)sa/frontend(/.+)?"}}
    ns[default]-policy[any-peer]-rule[0]:
      permissions: [{url_path: {path: {exact: /health}}}]
      principals: [{authenticated: {}}]`),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
    await ca.close();
  });

  const get = (who: Issued, path: string) =>
    httpsGet(port, {
      ca: ca.root,
      cert: who.certChainPem,
      key: who.keyPem,
      servername: 'forecast.weather',
      path,
    });

  it('frontend identity → 200', async () => {
    assert.equal((await get(frontend, '/forecast/today')).status, 200);
  });

  it('sleep identity → 403 RBAC: access denied', async () => {
    const r = await get(sleep, '/forecast/today');
    assert.equal(r.status, 403);
    assert.equal(r.body, 'RBAC: access denied');
  });

  it('authenticated without a name admits any verified peer', async () => {
    assert.equal((await get(sleep, '/health')).status, 200);
  });
});
