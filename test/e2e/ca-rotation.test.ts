// Root rotation in a live mesh, Istio's plugged-in CA procedure: the `cacerts` Secret in
// istio-system is replaced by a new CA whose root-cert.pem holds the old and the new root; every
// proxy trusts both within seconds, a restarted workload gets a certificate from the new CA, and
// traffic between old and new certificates never fails. Then the old root is dropped: a proxy
// still holding a certificate from it is refused (revoked by rotation) until it is restarted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import jsyaml from 'js-yaml';
import { EC_ALG, generateKeyPair, privateKeyPem, x509 } from '../../src/ca/keys.js';
import { eventually, MAIN, meshSkipReason, SAMPLE, sleep, TestMesh } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const state = ['--state-dir', mesh.stateDir];

before(async () => {
  if (skip) return;
  await mesh.upSample(['install/weather-v1.yaml']);
});

after(async () => {
  if (skip) return;
  await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
});

interface CertInfo {
  serial_number: string;
}
interface CertsDump {
  certificates: { ca_cert: CertInfo[]; cert_chain: CertInfo[] }[];
}

/** The proxy's /certs in the pod of `deploy`: ROOTCA serials and the workload chain's serials. */
async function certs(deploy: string): Promise<{ roots: string[]; chain: string[] }> {
  const d = JSON.parse(
    await mesh.run('weather', deploy, ['curl', '-s', 'localhost:15000/certs']),
  ) as CertsDump;
  return {
    roots: d.certificates.flatMap((c) => c.ca_cert.map((x) => x.serial_number)),
    chain: d.certificates.flatMap((c) => c.cert_chain.map((x) => x.serial_number)),
  };
}

const serialOf = (c: x509.X509Certificate): string => c.serialNumber.toLowerCase();

/** A new root and an intermediate under it, in Istio's cacerts layout. */
async function newCa(): Promise<{
  root: x509.X509Certificate;
  inter: x509.X509Certificate;
  interKey: string;
}> {
  const rootKeys = await generateKeyPair();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a01',
    name: 'CN=New Root CA,O=cluster.local',
    keys: rootKeys,
    signingAlgorithm: EC_ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const interKeys = await generateKeyPair();
  const inter = await x509.X509CertificateGenerator.create({
    serialNumber: '0a02',
    subject: 'CN=New Intermediate CA,O=cluster.local',
    issuer: root.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  return { root, inter, interKey: await privateKeyPem(interKeys.privateKey) };
}

function cacertsSecret(files: Record<string, string>): string {
  const data = Object.fromEntries(
    Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  return jsyaml.dump({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cacerts', namespace: 'istio-system' },
    type: 'Opaque',
    data,
  });
}

/** Re-applies a sample Deployment with a changed pod template, so it rolls to a new pod. */
async function restart(deploy: string, generation: number): Promise<void> {
  const docs = jsyaml.loadAll(readFileSync(join(SAMPLE, 'install/weather-v1.yaml'), 'utf8')) as {
    kind: string;
    metadata: { name: string };
    spec: { template: { metadata: { annotations?: Record<string, string> } } };
  }[];
  const d = docs.find((x) => x.kind === 'Deployment' && x.metadata.name === deploy)!;
  d.spec.template.metadata.annotations = { 'weft.test/restart': String(generation) };
  await mesh.apply(jsyaml.dump(d));
}

/**
 * Requests frontend → advertisement from inside the frontend pod until `stopFile` exists: odd ones
 * on a keep-alive connection, even ones on a new connection (a new mTLS handshake each time).
 */
function traffic(stopFile: string): Promise<Record<string, number>> {
  const script = `
const http = require('node:http');
const fs = require('node:fs');
const keep = new http.Agent({ keepAlive: true, maxSockets: 1 });
const codes = {};
const one = (i) => new Promise((resolve) => {
  const req = http.get({ host: 'advertisement', port: 3003, path: '/ad', agent: i % 2 ? keep : false, timeout: 5000 }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    // A failure is kept with its body, so the assertion says what went wrong.
    res.on('end', () => resolve(res.statusCode === 200 ? '200' : res.statusCode + ' ' + body.slice(0, 200)));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => resolve('error:' + e.message));
});
(async () => {
  const end = Date.now() + 120000;
  for (let i = 0; !fs.existsSync(${JSON.stringify(stopFile)}) && Date.now() < end; i++) {
    const c = await one(i);
    codes[c] = (codes[c] || 0) + 1;
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(JSON.stringify(codes));
  process.exit(0);
})();`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'exec',
        'deploy/frontend-v1',
        '-n',
        'weather',
        ...state,
        '--',
        process.execPath,
        '-e',
        script,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, number>)
        : reject(new Error(`traffic exited ${code}: ${err}`)),
    );
  });
}

/** The status a request from the pod of `deploy` to advertisement gets. */
async function status(deploy: string): Promise<number> {
  const r = await mesh.execIn('weather', deploy, [
    'curl',
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '--max-time',
    '10',
    'http://advertisement:3003/ad',
  ]);
  return Number(r.stdout) || 0;
}

test(
  'root rotation with a plugged-in CA: proxies trust both roots, old and new certificates interoperate, no request fails; dropping the old root revokes certificates it issued',
  { skip, timeout: 280_000 },
  async () => {
    const oldRoot = readFileSync(join(mesh.stateDir, 'ca', 'root-cert.pem'), 'utf8');
    const oldRootSerial = serialOf(new x509.X509Certificate(oldRoot));
    const before = await certs('frontend-v1');
    assert.deepEqual(before.roots, [oldRootSerial]);
    const { root, inter, interKey } = await newCa();
    const newRoot = root.toString('pem');

    const stopFile = join(tmpdir(), `weft-rotation-${process.pid}.stop`);
    rmSync(stopFile, { force: true });
    const running = traffic(stopFile);
    await sleep(1500);

    // Step 1: the new CA signs; root-cert.pem holds both roots while proxies move.
    await mesh.apply(
      cacertsSecret({
        'ca-cert.pem': inter.toString('pem'),
        'ca-key.pem': interKey,
        'root-cert.pem': `${oldRoot}${newRoot}\n`,
        'cert-chain.pem': `${inter.toString('pem')}\n${newRoot}\n`,
      }),
    );
    for (const deploy of ['frontend-v1', 'advertisement-v1'])
      await eventually(
        () => certs(deploy),
        (c) => c.roots.length === 2,
        { what: `${deploy} ROOTCA`, ms: 15_000, every: 500 },
      );

    // Step 2: advertisement restarts and holds a certificate from the new CA; frontend keeps its old one.
    await restart('advertisement-v1', 1);
    const moved = await eventually(
      () => certs('advertisement-v1'),
      (c) => c.chain.includes(serialOf(inter)),
      { what: 'advertisement certificate from the new CA', ms: 60_000, every: 500 },
    );
    assert.deepEqual(moved.roots.sort(), [oldRootSerial, serialOf(root)].sort());
    assert.ok(
      !(await certs('frontend-v1')).chain.includes(serialOf(inter)),
      'frontend should still hold its old certificate',
    );
    await sleep(3000);
    writeFileSync(stopFile, '');
    const codes = await running;
    rmSync(stopFile, { force: true });
    const total = Object.values(codes).reduce((a, b) => a + b, 0);
    assert.deepEqual(Object.keys(codes), ['200'], `requests during the rotation: ${JSON.stringify(codes)}`);
    assert.ok(total > 50, `only ${total} requests ran`);

    // Step 3: the old root is dropped. forecast still holds a certificate from it: its new
    // handshakes with advertisement are refused. (Connections opened before stay up, as in Envoy:
    // a trust change applies to new handshakes.)
    assert.ok(!(await certs('forecast-v1')).chain.includes(serialOf(inter)));
    await mesh.apply(
      cacertsSecret({
        'ca-cert.pem': inter.toString('pem'),
        'ca-key.pem': interKey,
        'root-cert.pem': newRoot,
        'cert-chain.pem': `${inter.toString('pem')}\n${newRoot}\n`,
      }),
    );
    await eventually(
      () => certs('advertisement-v1'),
      (c) => c.roots.length === 1,
      { what: 'advertisement ROOTCA', ms: 15_000, every: 500 },
    );
    await eventually(
      () => status('forecast-v1'),
      (s) => s === 503,
      { what: 'forecast → advertisement refused', ms: 15_000, every: 500 },
    );

    // Restarted, forecast gets a certificate from the new CA and is served again.
    await restart('forecast-v1', 1);
    await eventually(
      () => certs('forecast-v1'),
      (c) => c.chain.includes(serialOf(inter)),
      { what: 'forecast certificate from the new CA', ms: 60_000, every: 500 },
    );
    await eventually(
      () => status('forecast-v1'),
      (s) => s === 200,
      { what: 'forecast → advertisement after the restart', ms: 30_000, every: 500 },
    );
  },
);
