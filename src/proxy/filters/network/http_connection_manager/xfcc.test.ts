// x-forwarded-client-cert per Envoy's modes, including the Cert/Chain details Istio does not ask
// for (the sidecar-to-sidecar path with Istio's settings is covered over real mTLS in
// test/proxy/tls/sidecar-mtls.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeaderMap } from '../../../http/header-map.js';
import type { SslInfo } from '../../../tls/ssl-info.js';
import { mutateXfcc, parseXfcc, XFCC } from './xfcc.js';

const LEAF = '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n';
const ROOT = '-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----\n';
const ssl = {
  peerCertificatePresented: true,
  peerUriSans: ['spiffe://td/ns/a/sa/client'],
  peerDnsSans: ['client.example'],
  peerSubject: 'CN=client',
  peerCertificateSha256: 'ab'.repeat(32),
  peerChainPem: () => [LEAF, ROOT],
  localUriSans: ['spiffe://td/ns/b/sa/server'],
} as SslInfo;

// peer null: a connection without a client certificate (plaintext).
const run = (cfg: object, prior?: string, peer: SslInfo | null = ssl): string | undefined => {
  const h = new HeaderMap(prior ? { [XFCC]: prior } : {});
  mutateXfcc(parseXfcc(cfg, 'hcm'), peer ?? undefined, h);
  return h.get(XFCC);
};

test('every detail, in Envoy order: By, Hash, Cert, Chain, Subject, URI, DNS', () => {
  const all = {
    forward_client_cert_details: 'SANITIZE_SET',
    set_current_client_cert_details: {
      subject: { value: true },
      cert: true,
      chain: true,
      uri: true,
      dns: true,
    },
  };
  assert.equal(
    run(all, 'By=forged'),
    `By=spiffe://td/ns/b/sa/server;Hash=${'ab'.repeat(32)};Cert="${encodeURIComponent(LEAF)}";` +
      `Chain="${encodeURIComponent(LEAF + ROOT)}";Subject="CN=client";URI=spiffe://td/ns/a/sa/client;DNS=client.example`,
  );
});

test('modes: SANITIZE strips, FORWARD_ONLY keeps, APPEND_FORWARD appends, no client certificate strips', () => {
  const mode = (m: string): object => ({ forward_client_cert_details: m });
  const mine = `By=spiffe://td/ns/b/sa/server;Hash=${'ab'.repeat(32)}`;
  assert.equal(run({}, 'By=x'), undefined);
  assert.equal(run(mode('FORWARD_ONLY'), 'By=x'), 'By=x');
  assert.equal(run(mode('APPEND_FORWARD'), 'By=x'), `By=x,${mine}`);
  assert.equal(run(mode('APPEND_FORWARD'), 'By=x', null), undefined);
  assert.equal(run(mode('ALWAYS_FORWARD_ONLY'), 'By=x', null), 'By=x');
  assert.throws(
    () => parseXfcc(mode('SOMETIMES'), 'hcm'),
    /hcm\.forward_client_cert_details: unknown mode SOMETIMES/,
  );
});
