// Gateway credentials over SDS (scenarios 29–31): Istio's `kubernetes://<name>` / `-cacert` names,
// Secret key layouts, the same-namespace rule, last-good serving of malformed Secrets and
// Secret-only pushes that reach SDS alone.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PushRequest } from '../../src/xds/contracts.js';
import { cds } from '../../src/xds/generators/cds.js';
import { eds } from '../../src/xds/generators/eds.js';
import { lds } from '../../src/xds/generators/lds.js';
import { rds } from '../../src/xds/generators/rds.js';
import { sds } from '../../src/xds/generators/sds.js';
import type { PushContext } from '../../src/xds/push-context.js';
import { generateAll, routerProxy, setupMesh, sidecarProxy } from './harness.js';
import { secretYaml, selfSigned, type TestCert } from './certs.js';
import { simulate } from './simulator.js';
import { pods, services, weatherYaml } from './weather-fixture.js';

type Obj = Record<string, unknown>;
const ingress = routerProxy(pods.ingress);

const gatewayYaml = `
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: weather-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 443, name: https, protocol: HTTPS }
    hosts: ['weather/www.weather.com']
    tls: { mode: SIMPLE, credentialName: weather-cert }
  - port: { number: 443, name: https-mtls, protocol: HTTPS }
    hosts: ['weather/secure.weather.com']
    tls: { mode: MUTUAL, credentialName: secure-cert }
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: [www.weather.com, secure.weather.com]
  gateways: [istio-system/weather-gateway]
  http:
  - route:
    - destination: { host: frontend, subset: v1 }`;

let www: TestCert;
let secure: TestCert;
let ca: TestCert;
let rotated: TestCert;
before(async () => {
  www = await selfSigned('www.weather.com');
  secure = await selfSigned('secure.weather.com');
  ca = await selfSigned('weather-ca');
  rotated = await selfSigned('www.weather.com');
});

function mesh(extra: string) {
  return setupMesh({
    yaml: [weatherYaml(['frontend-route', 'weather-gateway']), gatewayYaml, extra].join('\n---\n'),
    services,
    pods: Object.values(pods),
  });
}

const pem = (bytes: unknown): string => Buffer.from(String(bytes), 'base64').toString();
const secretsOf = (push: PushContext, names: string[], proxy = ingress): Obj[] =>
  sds.generate({ proxy, push, names }).map((r) => r.resource as Obj);
const tlsCert = (s: Obj | undefined): string =>
  pem(((s?.tls_certificate as Obj).certificate_chain as Obj).inline_bytes);

test('29–31: listeners ask for kubernetes:// names over ADS and SDS serves certificate, key and CA', () => {
  const m = mesh(
    [
      secretYaml('weather-cert', 'istio-system', { 'tls.crt': www.cert, 'tls.key': www.key }),
      secretYaml('secure-cert', 'istio-system', {
        'tls.crt': secure.cert,
        'tls.key': secure.key,
        'ca.crt': ca.cert,
      }),
    ].join('---\n'),
  );
  const g = generateAll(ingress, m.push);
  assert.deepEqual(
    g.secrets.map((s) => s.name),
    ['kubernetes://secure-cert', 'kubernetes://secure-cert-cacert', 'kubernetes://weather-cert'],
  );
  const byName = new Map(g.secrets.map((s) => [s.name, s]));
  assert.equal(tlsCert(byName.get('kubernetes://weather-cert')), www.cert);
  const key = ((byName.get('kubernetes://weather-cert')!.tls_certificate as Obj).private_key as Obj)
    .inline_bytes;
  assert.equal(pem(key), www.key);
  const validation = byName.get('kubernetes://secure-cert-cacert')!.validation_context as Obj;
  assert.equal(pem((validation.trusted_ca as Obj).inline_bytes), ca.cert);
  // The SNI walk still reaches the routes behind the TLS chains.
  const r = simulate(g, { mode: 'gateway', port: 8443, sni: 'secure.weather.com', transport: 'tls' });
  assert.equal(r.routeConfig, 'https.8443.https-mtls.weather-gateway.istio-system');
});

test('generic Secrets (cert/key/cacert) work, and a separate <name>-cacert Secret supplies the CA', () => {
  const m = mesh(
    [
      secretYaml('weather-cert', 'istio-system', { cert: www.cert, key: www.key, cacert: ca.cert }, 'Opaque'),
      secretYaml('secure-cert', 'istio-system', { cert: secure.cert, key: secure.key }, 'Opaque'),
      secretYaml('secure-cert-cacert', 'istio-system', { cacert: rotated.cert }, 'Opaque'),
    ].join('---\n'),
  );
  const [cert, own, separate] = secretsOf(m.push, [
    'kubernetes://weather-cert',
    'kubernetes://weather-cert-cacert',
    'kubernetes://secure-cert-cacert',
  ]);
  assert.equal(tlsCert(cert), www.cert);
  assert.equal(pem(((own!.validation_context as Obj).trusted_ca as Obj).inline_bytes), ca.cert);
  assert.equal(pem(((separate!.validation_context as Obj).trusted_ca as Obj).inline_bytes), rotated.cert);
});

test('a gateway reads Secrets of its own namespace only; sidecars read none', () => {
  const m = mesh(
    [
      secretYaml('weather-cert', 'weather', { 'tls.crt': www.cert, 'tls.key': www.key }),
      secretYaml('other-cert', 'istio-system', { 'tls.crt': www.cert, 'tls.key': www.key }),
    ].join('---\n'),
  );
  assert.deepEqual(secretsOf(m.push, ['kubernetes://weather-cert', 'kubernetes://weather/weather-cert']), []);
  assert.deepEqual(
    secretsOf(m.push, ['kubernetes://istio-system/other-cert']).map((s) => s.name),
    ['kubernetes://istio-system/other-cert'],
  );
  const frontend = sidecarProxy(pods.frontendV1);
  assert.deepEqual(secretsOf(m.push, ['kubernetes://weather-cert'], frontend), []);
  // A Secret without certificate or CA keys, and names of other schemes, give nothing.
  assert.deepEqual(secretsOf(m.push, ['default', 'ROOTCA', 'kubernetes://a/b/c']), []);
});

describe('malformed Secrets', () => {
  test('a replacement that does not parse or whose key does not match keeps the last good one serving', () => {
    const m = mesh(secretYaml('weather-cert', 'istio-system', { 'tls.crt': www.cert, 'tls.key': www.key }));
    const badKey = m.update(
      secretYaml('weather-cert', 'istio-system', { 'tls.crt': rotated.cert, 'tls.key': www.key }),
    );
    assert.equal(tlsCert(secretsOf(badKey, ['kubernetes://weather-cert'])[0]), www.cert);
    assert.match(badKey.credentialDiagnostics[0]!.message, /tls\.key does not match the certificate/);
    assert.match(badKey.credentialDiagnostics[0]!.message, /still serving the last good version/);
    assert.equal(badKey.credentialDiagnostics[0]!.resource, 'Secret istio-system/weather-cert');

    const badPem = m.update(
      secretYaml('weather-cert', 'istio-system', { 'tls.crt': 'not a cert', 'tls.key': www.key }),
    );
    assert.equal(tlsCert(secretsOf(badPem, ['kubernetes://weather-cert'])[0]), www.cert);
    assert.match(badPem.credentialDiagnostics[0]!.message, /tls\.crt: no PEM certificate/);

    // Scenario 31: a good replacement (new certificate) is served and clears the diagnostic.
    const good = m.update(
      secretYaml('weather-cert', 'istio-system', { 'tls.crt': rotated.cert, 'tls.key': rotated.key }),
    );
    assert.equal(tlsCert(secretsOf(good, ['kubernetes://weather-cert'])[0]), rotated.cert);
    assert.deepEqual(good.credentialDiagnostics, []);
  });

  test('a Secret that was never valid is not served', () => {
    const m = mesh(
      secretYaml('weather-cert', 'istio-system', { 'tls.crt': www.cert, 'tls.key': secure.key }),
    );
    assert.deepEqual(secretsOf(m.push, ['kubernetes://weather-cert']), []);
    assert.match(m.push.credentialDiagnostics[0]!.message, /not served$/);
  });
});

describe('push filtering', () => {
  const update = (...keys: string[]): PushRequest => ({
    full: true,
    configsUpdated: new Set(keys),
    edsUpdates: new Set(),
    reasons: ['config'],
    start: 0,
  });
  const m = mesh('');
  const frontend = sidecarProxy(pods.frontendV1);

  test('a changed Secret pushes SDS alone, to the gateways that use it', () => {
    const secretChange = update('Secret/istio-system/weather-cert');
    for (const g of [cds, eds, lds, rds])
      assert.equal(g.needsPush!(ingress, secretChange, m.push), false, `${g.typeUrl} skipped`);
    assert.equal(sds.needsPush!(ingress, secretChange, m.push), true);
    assert.equal(sds.needsPush!(ingress, update('Secret/istio-system/secure-cert-cacert'), m.push), true);
    assert.equal(sds.needsPush!(ingress, update('Secret/istio-system/unused'), m.push), false);
    assert.equal(sds.needsPush!(ingress, update('Secret/weather/weather-cert'), m.push), false);
    assert.equal(sds.needsPush!(frontend, secretChange, m.push), false);
  });

  test('other config changes leave SDS alone', () => {
    const vsChange = update('VirtualService/weather/frontend-route', 'Secret/istio-system/weather-cert');
    assert.equal(lds.needsPush!(ingress, vsChange, m.push), true);
    assert.equal(sds.needsPush!(ingress, update('VirtualService/weather/frontend-route'), m.push), false);
    assert.equal(sds.needsPush!(ingress, update(), m.push), true, 'a push of everything includes SDS');
  });
});
