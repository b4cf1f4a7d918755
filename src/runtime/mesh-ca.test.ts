// The local run's CA follows Istio's `cacerts` Secret: a valid one plugs the CA in live and
// publishes its root-cert.pem as the pods' trust bundle; a broken one is reported by name and the
// CA keeps signing as before.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateAuthority } from '../ca/authority.js';
import { createCsr } from '../ca/csr.js';
import { EC_ALG, generateKeyPair, privateKeyPem, splitPem, x509 } from '../ca/keys.js';
import { ConfigStore } from '../config/store.js';
import { runMeshCa, trustBundleFile } from './mesh-ca.js';

const ID = { trustDomain: 'cluster.local', namespace: 'weather', serviceAccount: 'frontend' };

async function pluggable(): Promise<{ files: Record<string, string>; root: string }> {
  const rootKeys = await generateKeyPair();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Plugged Root',
    keys: rootKeys,
    signingAlgorithm: EC_ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const interKeys = await generateKeyPair();
  const inter = await x509.X509CertificateGenerator.create({
    subject: 'CN=Plugged Intermediate',
    issuer: root.subject,
    notAfter: new Date(Date.now() + 48 * 3600_000),
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  const rootPem = root.toString('pem');
  return {
    root: rootPem,
    files: {
      'ca-cert.pem': inter.toString('pem'),
      'ca-key.pem': await privateKeyPem(interKeys.privateKey),
      'root-cert.pem': rootPem,
      'cert-chain.pem': `${inter.toString('pem')}\n${rootPem}\n`,
    },
  };
}

function secret(files: Record<string, string>): object {
  const data = Object.fromEntries(
    Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cacerts', namespace: 'istio-system' }, data };
}

const until = async (ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
};

test('the cacerts Secret plugs in a CA live; a broken one is reported and changes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-mesh-ca-'));
  const ca = await CertificateAuthority.loadOrCreate(join(dir, 'ca'));
  const selfSigned = ca.trustBundle()[0]!;
  const store = new ConfigStore({ debounceMs: 5 });
  const logs: string[] = [];
  let changes = 0;
  const stop = await runMeshCa({
    ca,
    store,
    stateDir: dir,
    rootNamespace: 'istio-system',
    onChange: () => Promise.resolve(void changes++),
    log: (m) => logs.push(m),
  });
  try {
    assert.equal(await readFile(trustBundleFile(dir), 'utf8'), selfSigned);

    const plugged = await pluggable();
    // During a rotation root-cert.pem holds both roots; the bundle follows it.
    const both = { ...plugged.files, 'root-cert.pem': `${selfSigned}${plugged.root}\n` };
    assert.ok(store.apply([{ resource: secret(both) as never }], { owner: 'api' }).ok);
    await until(() => changes === 1);
    assert.equal(changes, 1);
    assert.ok(ca.pluggedIn);
    assert.equal(splitPem(await readFile(trustBundleFile(dir), 'utf8')).length, 2);
    const { csrPem } = await createCsr(ID);
    const chain = await ca.sign(csrPem, ID);
    assert.equal(chain.length, 3, 'leaf, intermediate, root');
    assert.ok(
      new X509Certificate(chain[0]!).verify(new X509Certificate(plugged.files['ca-cert.pem']!).publicKey),
    );
    assert.equal(chain[2]!.trim(), plugged.root.trim(), 'the answer names the root the chain leads to');

    const signing = ca.signingCertificate();
    const broken = { ...plugged.files, 'ca-key.pem': (await pluggable()).files['ca-key.pem']! };
    delete (broken as Record<string, string>)['root-cert.pem'];
    assert.ok(store.apply([{ resource: secret(broken) as never }], { owner: 'api' }).ok);
    await until(() => logs.some((l) => l.startsWith('error:')));
    const err = logs.find((l) => l.startsWith('error:'));
    assert.match(err ?? '', /Secret istio-system\/cacerts is not a usable CA: missing root-cert\.pem/);
    assert.equal(ca.signingCertificate(), signing);
    assert.equal(changes, 1);
  } finally {
    stop();
  }
});
