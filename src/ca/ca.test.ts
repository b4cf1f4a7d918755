// The CA end to end over real gRPC/TLS on loopback: first issue by bootstrap token, renewal by
// certificate, and the attacks that must fail.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority } from './authority.js';
import { requestCertificate, type WorkloadCertificate } from './client.js';
import { createCsr } from './csr.js';
import { EC_ALG, generateKeyPair, privateKeyPem, x509 } from './keys.js';
import { addCaService, BootstrapTokens, caServerCredentials, MutableCertificateProvider } from './server.js';
import { uriSans, type Identity } from './spiffe.js';

const TD = 'cluster.local';
const ISTIOD: Identity = { trustDomain: TD, namespace: 'istio-system', serviceAccount: 'istiod' };
const FRONTEND: Identity = { trustDomain: TD, namespace: 'weather', serviceAccount: 'frontend' };

let ca: CertificateAuthority;
let tokens: BootstrapTokens;
let server: grpc.Server;
let address: string;
let stateDir: string;

async function servingCert(authority: CertificateAuthority): Promise<{ chain: string; key: string }> {
  const { keyPem, csrPem } = await createCsr(ISTIOD);
  const chain = await authority.sign(csrPem, ISTIOD, { dnsNames: ['istiod.istio-system.svc'] });
  return { chain: chain.slice(0, -1).join(''), key: keyPem };
}

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'weft-ca-'));
  ca = await CertificateAuthority.loadOrCreate(join(stateDir, 'ca'), TD);
  tokens = new BootstrapTokens();
  const serving = await servingCert(ca);
  server = new grpc.Server();
  addCaService(server, { ca, tokens });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      caServerCredentials(new MutableCertificateProvider(roots(), serving.chain, serving.key)),
      (e, p) => (e ? reject(e) : resolve(p)),
    ),
  );
  address = `127.0.0.1:${port}`;
});
after(() => server.forceShutdown());

const roots = (): string => ca.trustBundle().join('');

function verifies(cert: WorkloadCertificate, rootPem: string): boolean {
  return new X509Certificate(cert.certChainPem).verify(new X509Certificate(rootPem).publicKey);
}

test('the root is made once and kept in the state directory', async () => {
  const again = await CertificateAuthority.loadOrCreate(join(stateDir, 'ca'), TD);
  assert.equal(again.trustBundle()[0], ca.trustBundle()[0]);
  assert.match(new X509Certificate(ca.trustBundle()[0]!).subject, /O=cluster.local/);
});

test('first issue with a bootstrap token gives a 24 h SPIFFE certificate; renewal uses the certificate', async () => {
  const token = tokens.issue(FRONTEND);
  const first = await requestCertificate({ address, caRootsPem: roots(), identity: FRONTEND, token });
  const leaf = new X509Certificate(first.certChainPem);
  assert.deepEqual(uriSans(leaf.subjectAltName), ['spiffe://cluster.local/ns/weather/sa/frontend']);
  const hours = (first.notAfter.getTime() - Date.now()) / 3.6e6;
  assert.ok(hours > 23.9 && hours <= 24, `ttl ${hours}h`);
  assert.ok(verifies(first, first.rootPem));
  tokens.revoke(token);
  const renewed = await requestCertificate({
    address,
    caRootsPem: roots(),
    identity: FRONTEND,
    current: first,
  });
  assert.deepEqual(uriSans(new X509Certificate(renewed.certChainPem).subjectAltName), [
    'spiffe://cluster.local/ns/weather/sa/frontend',
  ]);
  assert.notEqual(renewed.keyPem, first.keyPem, 'a new key on every renewal');
});

test('no credential, a wrong token, or a token for another identity are refused', async () => {
  await assert.rejects(
    requestCertificate({ address, caRootsPem: roots(), identity: FRONTEND }),
    /UNAUTHENTICATED|no credential/,
  );
  await assert.rejects(
    requestCertificate({ address, caRootsPem: roots(), identity: FRONTEND, token: 'forged' }),
    /bootstrap token is not valid/,
  );
  const sleepToken = tokens.issue({ trustDomain: TD, namespace: 'default', serviceAccount: 'sleep' });
  await assert.rejects(
    requestCertificate({ address, caRootsPem: roots(), identity: FRONTEND, token: sleepToken }),
    /PERMISSION_DENIED.*asks for identity spiffe:\/\/cluster.local\/ns\/weather\/sa\/frontend.*authenticated as spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep/,
  );
});

test('a client certificate from another CA does not authenticate', async () => {
  const otherDir = await mkdtemp(join(tmpdir(), 'weft-ca-other-'));
  const other = await CertificateAuthority.loadOrCreate(otherDir, TD);
  const { keyPem, csrPem } = await createCsr(FRONTEND);
  const chain = await other.sign(csrPem, FRONTEND);
  const foreign: WorkloadCertificate = {
    keyPem,
    certChainPem: chain[0]!,
    rootPem: chain[1]!,
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 3600e3),
  };
  await assert.rejects(
    requestCertificate({ address, caRootsPem: roots(), identity: FRONTEND, current: foreign }),
    /not from this mesh CA|UNAUTHENTICATED|certificate/,
  );
});

test('an expired certificate cannot renew, and TTLs above the maximum are refused', async () => {
  const token = tokens.issue(FRONTEND);
  const short = await requestCertificate({
    address,
    caRootsPem: roots(),
    identity: FRONTEND,
    token,
    ttlSeconds: 1,
  });
  tokens.revoke(token);
  await new Promise((r) => setTimeout(r, 1100));
  await assert.rejects(
    requestCertificate({ address, caRootsPem: roots(), identity: FRONTEND, current: short }),
    /UNAUTHENTICATED/,
  );
  const t2 = tokens.issue(FRONTEND);
  await assert.rejects(
    requestCertificate({
      address,
      caRootsPem: roots(),
      identity: FRONTEND,
      token: t2,
      ttlSeconds: 100 * 24 * 3600,
    }),
    /INVALID_ARGUMENT: CSR signing error \(requested TTL 2400h0m0s is greater than the max allowed TTL 2160h0m0s\)/,
  );
});

test('root rotation: old certificates keep working until the rotation finishes, then are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-ca-rot-'));
  const rca = await CertificateAuthority.loadOrCreate(dir, TD);
  const oldRoot = rca.trustBundle()[0]!;
  const { csrPem } = await createCsr(FRONTEND);
  const oldLeaf = (await rca.sign(csrPem, FRONTEND))[0]!;
  await rca.rotateRoot();
  assert.equal(rca.trustBundle().length, 2);
  assert.equal(rca.trustBundle()[1], oldRoot);
  const newChain = await rca.sign(csrPem, FRONTEND);
  assert.ok(new X509Certificate(newChain[0]!).verify(new X509Certificate(rca.trustBundle()[0]!).publicKey));
  assert.ok(!new X509Certificate(newChain[0]!).verify(new X509Certificate(oldRoot).publicKey));
  // A restarted CA keeps the bundle (both roots) until the rotation is finished.
  const reloaded = await CertificateAuthority.loadOrCreate(dir, TD);
  assert.equal(reloaded.trustBundle().length, 2);
  await rca.finishRotation();
  assert.deepEqual(rca.trustBundle(), [rca.signingCertificate()]);
  assert.ok(!new X509Certificate(oldLeaf).verify(new X509Certificate(rca.trustBundle()[0]!).publicKey));
});

test('a plugged-in CA with an intermediate (Istio cacerts layout) issues leaf → intermediate → root', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-cacerts-'));
  const rootKeys = await generateKeyPair();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Root CA,O=Example',
    keys: rootKeys,
    signingAlgorithm: EC_ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const interKeys = await generateKeyPair();
  const inter = await x509.X509CertificateGenerator.create({
    subject: 'CN=Intermediate CA,O=Example',
    issuer: root.subject,
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  await writeFile(join(dir, 'ca-cert.pem'), inter.toString('pem'));
  await writeFile(join(dir, 'ca-key.pem'), await privateKeyPem(interKeys.privateKey));
  await writeFile(join(dir, 'root-cert.pem'), root.toString('pem'));
  await writeFile(join(dir, 'cert-chain.pem'), `${inter.toString('pem')}\n${root.toString('pem')}\n`);
  const plugged = await CertificateAuthority.fromCacerts(dir, TD);
  const { csrPem } = await createCsr(FRONTEND);
  const chain = await plugged.sign(csrPem, FRONTEND);
  assert.equal(chain.length, 3);
  const [leaf, mid, top] = chain.map((c) => new X509Certificate(c));
  assert.ok(leaf!.verify(mid!.publicKey));
  assert.ok(mid!.verify(top!.publicKey));
  assert.match(top!.subject, /CN=Root CA/);
  await writeFile(
    join(dir, 'root-cert.pem'),
    (await CertificateAuthority.loadOrCreate(join(dir, 'x'), TD)).trustBundle()[0]!,
  );
  await assert.rejects(
    CertificateAuthority.fromCacerts(dir, TD),
    /does not lead to a certificate in root-cert.pem/,
  );
});
