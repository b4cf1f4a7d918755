import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startControlPlane } from '../../src/controlplane/control-plane.js';
import { weft } from './run.js';

const service = (name: string, port: number) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: weather}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: ${port}}]
---
`;
const dr = (name: string, host: string, mode: string) => `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: ${name}, namespace: weather}
spec:
  host: ${host}
  trafficPolicy: {tls: {mode: ${mode}}}
---
`;
const SERVICES = service('advertisement', 3003) + service('forecast', 3002) + service('frontend', 3000);
const STRICT_PA = `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default, namespace: weather}
spec: {mtls: {mode: STRICT}}
---
`;
// Scenario 40: advertisement requires mTLS and its DestinationRule disables TLS.
const SCENARIO_40 =
  SERVICES +
  STRICT_PA +
  dr('advertisement-dr', 'advertisement', 'DISABLE') +
  dr('forecast-dr', 'forecast', 'ISTIO_MUTUAL');

let dir: string;
const file = async (name: string, text: string) => {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
};
/** The table as rows of whitespace-separated cells. */
const cells = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s{2,}/));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-authn-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('scenario 40: a STRICT service whose DestinationRule disables TLS is a CONFLICT row; exit 0', async () => {
  const r = await weft(['authn', 'tls-check', '-f', await file('s40.yaml', SCENARIO_40)]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(cells(r.stdout), [
    ['HOST:PORT', 'STATUS', 'SERVER', 'CLIENT', 'AUTHN POLICY', 'DESTINATION RULE'],
    [
      'advertisement.weather.svc.cluster.local:3003',
      'CONFLICT',
      'mTLS',
      'HTTP',
      'default/weather',
      'advertisement-dr/weather',
    ],
    [
      'forecast.weather.svc.cluster.local:3002',
      'OK',
      'mTLS',
      'mTLS',
      'default/weather',
      'forecast-dr/weather',
    ],
    // No DestinationRule TLS: auto mTLS follows the server.
    ['frontend.weather.svc.cluster.local:3000', 'AUTO', 'mTLS', '-', 'default/weather', '-'],
  ]);
});

test('Istio 1.1 Policy/MeshPolicy from a directory; HOST[:PORT] selects rows; -o json; --no-auto-mtls', async () => {
  const sub = join(dir, 'v11');
  await mkdir(sub);
  await writeFile(join(sub, 'services.yaml'), SERVICES + dr('frontend-dr', 'frontend', 'ISTIO_MUTUAL'));
  await writeFile(
    join(sub, 'policies.yaml'),
    `apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata: {name: default}
spec: {peers: [{mtls: {}}]}
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: frontend-plain, namespace: weather}
spec:
  targets: [{name: frontend}]
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: weather}
spec: {peers: [{mtls: {mode: PERMISSIVE}}]}
`,
  );
  let r = await weft(['authn', 'tls-check', '-f', sub, '--no-auto-mtls']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(cells(r.stdout).slice(1), [
    ['advertisement.weather.svc.cluster.local:3003', 'OK', 'HTTP/mTLS', 'HTTP', 'default/weather', '-'],
    ['forecast.weather.svc.cluster.local:3002', 'OK', 'HTTP/mTLS', 'HTTP', 'default/weather', '-'],
    // A targeted Policy without peers turns mTLS off, but clients send ISTIO_MUTUAL.
    [
      'frontend.weather.svc.cluster.local:3000',
      'CONFLICT',
      'HTTP',
      'mTLS',
      'frontend-plain/weather',
      'frontend-dr/weather',
    ],
  ]);
  r = await weft([
    'authn',
    'tls-check',
    '-f',
    join(sub, 'services.yaml'),
    '-f',
    join(sub, 'policies.yaml'),
    'frontend:3000',
    '-o',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as {
    host: string;
    status: string;
    serverMode: string;
    message?: string;
  }[];
  assert.deepEqual(
    rows.map((x) => [x.host, x.status, x.serverMode]),
    [['frontend.weather.svc.cluster.local', 'CONFLICT', 'DISABLE']],
  );
  assert.match(rows[0]!.message!, /ISTIO_MUTUAL but the server does not accept mutual TLS/);
});

test('an unknown host or invalid input is an error (exit 1) that says why', async () => {
  const input = await file('ok.yaml', SCENARIO_40);
  let r = await weft(['authn', 'tls-check', '-f', input, 'reviews']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: no service port matches reviews\n');
  const bad = await file('bad.yaml', `${SERVICES}${dr('x', 'forecast', 'SOMETIMES')}`);
  r = await weft(['authn', 'tls-check', '-f', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.yaml:\d+: .*DestinationRule weather\/x.*SOMETIMES/);
  assert.equal(r.stdout, '');
});

test('without -f: the running control plane config; none running is said plainly', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'weft-authn-cp-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const stateDir = join(root, 'state');
  let r = await weft(['authn', 'tls-check', '--state-dir', stateDir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: no control plane is running .*weft up/);

  const cp = await startControlPlane({
    stateDir,
    xds: '127.0.0.1:0',
    http: '127.0.0.1:0',
    log: () => undefined,
  });
  t.after(() => cp.close());
  r = await weft(['apply', '-f', await file('cp.yaml', SCENARIO_40), '--state-dir', stateDir]);
  assert.equal(r.code, 0, r.stderr);
  r = await weft(['authn', 'tls-check', 'advertisement.weather', '--state-dir', stateDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(cells(r.stdout)[1], [
    'advertisement.weather.svc.cluster.local:3003',
    'CONFLICT',
    'mTLS',
    'HTTP',
    'default/weather',
    'advertisement-dr/weather',
  ]);
});
