// The rotator against a real CA over gRPC/TLS: a certificate that expired before its renewal went
// through (a stalled process, a CA away too long) is renewed with the pod's bootstrap token.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority } from '../ca/authority.js';
import type { WorkloadCertificate } from '../ca/client.js';
import { createCsr } from '../ca/csr.js';
import {
  addCaService,
  BootstrapTokens,
  caServerCredentials,
  MutableCertificateProvider,
} from '../ca/server.js';
import type { Identity } from '../ca/spiffe.js';
import { CertificateRotator } from './cert-rotator.js';

const ID: Identity = { trustDomain: 'cluster.local', namespace: 'weather', serviceAccount: 'forecast' };
const ISTIOD: Identity = { ...ID, namespace: 'istio-system', serviceAccount: 'istiod' };
let dir: string;
let ca: CertificateAuthority;
let server: grpc.Server;
let address: string;
const tokens = new BootstrapTokens();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-rotator-ca-'));
  ca = await CertificateAuthority.loadOrCreate(dir);
  const serving = await createCsr(ISTIOD);
  const chain = await ca.sign(serving.csrPem, ISTIOD, { dnsNames: ['istiod.istio-system.svc'] });
  server = new grpc.Server();
  addCaService(server, { ca, tokens });
  const provider = new MutableCertificateProvider(ca.trustBundle().join(''), chain[0]!, serving.keyPem);
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', caServerCredentials(provider), (e, p) => (e ? rej(e) : res(p))),
  );
  address = `127.0.0.1:${port}`;
});
after(async () => {
  server.forceShutdown();
  await rm(dir, { recursive: true, force: true });
});

test('a certificate that expired before renewal is renewed with the bootstrap token', async () => {
  // Grace ratio 0: renewal starts only when the 1 s certificate has expired.
  const rotator = new CertificateRotator({
    address,
    caRootsPem: ca.trustBundle().join(''),
    identity: ID,
    token: tokens.issue(ID),
    ttlSeconds: 1,
    graceRatio: 0,
    retryMs: 100,
  });
  const failures: string[] = [];
  rotator.on('failed', (e) => failures.push(e.message));
  const first = await rotator.start();
  const renewed = await new Promise<WorkloadCertificate>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no renewal in 5 s: ${failures.join('; ')}`)), 5000);
    rotator.once('rotated', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  rotator.stop();
  assert.ok(renewed.notAfter > first.notAfter, 'a new certificate');
  assert.ok(renewed.notAfter.getTime() > Date.now(), 'valid now');
});
