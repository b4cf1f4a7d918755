// The agent's SDS end to end: a real CA issues, the rotator renews, and an SDS client stream
// (grpc-js, speaking envoy.service.secret.v3) sees `default` and `ROOTCA`, then the rotated cert.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority } from '../../ca/authority.js';
import { createCsr } from '../../ca/csr.js';
import {
  addCaService,
  BootstrapTokens,
  caServerCredentials,
  MutableCertificateProvider,
} from '../../ca/server.js';
import { uriSans, type Identity } from '../../ca/spiffe.js';
import { decodeMessage, encodeMessage } from '../../xds/proto/root.js';
import { TypeUrl } from '../../xds/type-urls.js';
import { CertificateRotator } from '../cert-rotator.js';
import { rootSecret, workloadSecret } from './secrets.js';
import { SdsServer } from './server.js';

const ID: Identity = { trustDomain: 'cluster.local', namespace: 'weather', serviceAccount: 'forecast' };
const servers: grpc.Server[] = [];
after(() => servers.forEach((s) => s.forceShutdown()));

async function listen(server: grpc.Server, creds: grpc.ServerCredentials): Promise<string> {
  servers.push(server);
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? rej(e) : res(p))),
  );
  return `127.0.0.1:${port}`;
}

interface Secret {
  name: string;
  tls_certificate?: { certificate_chain: { inline_bytes: string } };
  validation_context?: { trusted_ca: { inline_bytes: string } };
}

test('SDS serves default and ROOTCA and pushes the rotated certificate on the open stream', async () => {
  const ca = await CertificateAuthority.loadOrCreate(await mkdtemp(join(tmpdir(), 'weft-sds-ca-')));
  const tokens = new BootstrapTokens();
  const { keyPem, csrPem } = await createCsr({ ...ID, namespace: 'istio-system', serviceAccount: 'istiod' });
  const serving = await ca.sign(
    csrPem,
    { ...ID, namespace: 'istio-system', serviceAccount: 'istiod' },
    {
      dnsNames: ['istiod.istio-system.svc'],
    },
  );
  const caServer = new grpc.Server();
  addCaService(caServer, { ca, tokens });
  const caAddr = await listen(
    caServer,
    caServerCredentials(new MutableCertificateProvider(ca.trustBundle().join(''), serving[0]!, keyPem)),
  );

  const rotator = new CertificateRotator({
    address: caAddr,
    caRootsPem: ca.trustBundle().join(''),
    identity: ID,
    token: tokens.issue(ID),
    ttlSeconds: 2,
  });
  const sds = new SdsServer();
  const rotations: number[] = [];
  rotator.on('rotated', (c) => {
    rotations.push(Date.now());
    sds.set(workloadSecret(c), rootSecret(c.rootPem));
  });
  await rotator.start();
  const sdsServer = new grpc.Server();
  sds.addTo(sdsServer);
  const sdsAddr = await listen(sdsServer, grpc.ServerCredentials.createInsecure());

  const Client = grpc.makeGenericClientConstructor({}, 'Sds');
  const client = new Client(sdsAddr, grpc.credentials.createInsecure());
  const stream = client.makeBidiStreamRequest(
    '/envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets',
    (m: object) => Buffer.from(encodeMessage('envoy.service.discovery.v3.DiscoveryRequest', m)),
    (b: Buffer) =>
      decodeMessage<{
        version_info: string;
        nonce: string;
        resources: { type_url: string; value: string }[];
      }>('envoy.service.discovery.v3.DiscoveryResponse', b),
  );
  const responses: { version_info: string; nonce: string; secrets: Secret[] }[] = [];
  let wake: () => void = () => undefined;
  stream.on(
    'data',
    (r: { version_info: string; nonce: string; resources: { type_url: string; value: string }[] }) => {
      // Decoding expands each Any into its message with an '@type' key.
      responses.push({ ...r, secrets: r.resources as unknown as Secret[] });
      stream.write({
        type_url: TypeUrl.Secret,
        resource_names: ['default', 'ROOTCA'],
        version_info: r.version_info,
        response_nonce: r.nonce,
      });
      wake();
    },
  );
  const next = (n: number): Promise<void> =>
    new Promise((resolve) => {
      wake = () => responses.length >= n && resolve();
      wake();
    });
  stream.write({
    node: { id: 'sidecar~10.0.0.1~forecast-v1.weather~weather.svc.cluster.local' },
    type_url: TypeUrl.Secret,
    resource_names: ['default', 'ROOTCA'],
  });
  await next(1);
  const first = responses[0]!.secrets;
  assert.deepEqual(first.map((s) => s.name).sort(), ['ROOTCA', 'default']);
  const leaf1 = new X509Certificate(
    Buffer.from(
      first.find((s) => s.name === 'default')!.tls_certificate!.certificate_chain.inline_bytes,
      'base64',
    ),
  );
  assert.deepEqual(uriSans(leaf1.subjectAltName), ['spiffe://cluster.local/ns/weather/sa/forecast']);
  const root = first.find((s) => s.name === 'ROOTCA')!.validation_context!.trusted_ca.inline_bytes;
  assert.ok(leaf1.verify(new X509Certificate(Buffer.from(root, 'base64')).publicKey));

  // TTL 2 s → renewal after ~1 s, pushed on the same stream with a new version.
  await next(2);
  const waited = rotations[1]! - rotations[0]!;
  assert.ok(
    waited > 500 && waited < 1800,
    `renewed after ${waited} ms; a 2 s certificate renews at about half life`,
  );
  const leaf2 = new X509Certificate(
    Buffer.from(
      responses[1]!.secrets.find((s) => s.name === 'default')!.tls_certificate!.certificate_chain
        .inline_bytes,
      'base64',
    ),
  );
  assert.notEqual(leaf2.serialNumber, leaf1.serialNumber);
  assert.notEqual(responses[1]!.version_info, responses[0]!.version_info);
  assert.equal(responses.length, 2, 'an ACK is not answered');
  rotator.stop();
  stream.on('error', () => undefined); // cancelling reports CANCELLED to the caller
  stream.cancel();
  client.close();
});
