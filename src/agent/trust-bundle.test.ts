// The agent follows the mesh trust bundle file as the runtime replaces it (write + rename).
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFilesDurably } from '../util/durable-fs.js';
import { followTrustBundle, withRoot } from './trust-bundle.js';

const cert = (tag: string): string => `-----BEGIN CERTIFICATE-----\n${tag}\n-----END CERTIFICATE-----\n`;

test('withRoot adds the issuing root only when the bundle lacks it', () => {
  assert.equal(withRoot(cert('A') + cert('B'), cert('B')), cert('A') + cert('B'));
  assert.equal(withRoot(cert('A'), cert('C')), cert('A') + cert('C'));
  assert.equal(withRoot('', cert('C')), cert('C'));
});

test('followTrustBundle reports the roots now and after each atomic replacement; junk keeps the last roots', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-bundle-'));
  const file = join(dir, 'istio-ca-root-cert.pem');
  await writeFilesDurably([{ path: file, data: cert('A') }]);
  const seen: string[] = [];
  const logs: string[] = [];
  const stop = followTrustBundle(
    file,
    (p) => seen.push(p),
    (m) => logs.push(m),
  );
  const until = async (ok: () => boolean): Promise<void> => {
    for (let i = 0; i < 60 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  };
  try {
    assert.deepEqual(seen, [cert('A')]);
    await writeFilesDurably([{ path: file, data: cert('A') + cert('B') }]);
    await until(() => seen.length === 2);
    assert.deepEqual(seen, [cert('A'), cert('A') + cert('B')]);
    await writeFilesDurably([{ path: file, data: 'not a certificate' }]);
    await until(() => logs.length > 0);
    assert.match(logs[0] ?? '', /holds no certificate; keeping the previous roots/);
    assert.equal(seen.length, 2);
  } finally {
    stop();
  }
});
