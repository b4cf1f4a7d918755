// istiod's DEFAULT_WORKLOAD_CERT_TTL / MAX_WORKLOAD_CERT_TTL: parsed like Istio's env settings and
// honoured by the CA when it signs.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateAuthority } from './authority.js';
import { createCsr } from './csr.js';
import { WORKLOAD_TTL_DEFAULTS, workloadTtlFromEnv } from './workload-ttl.js';

const ID = { trustDomain: 'cluster.local', namespace: 'weather', serviceAccount: 'frontend' };

test('workload TTLs from the environment: defaults, Go durations, junk reported, default capped at max', () => {
  const warnings: string[] = [];
  const warn = (m: string): number => warnings.push(m);
  assert.deepEqual(workloadTtlFromEnv({}, warn), WORKLOAD_TTL_DEFAULTS);
  assert.deepEqual(
    workloadTtlFromEnv({ DEFAULT_WORKLOAD_CERT_TTL: '1h', MAX_WORKLOAD_CERT_TTL: '48h' }, warn),
    {
      defaultS: 3600,
      maxS: 48 * 3600,
    },
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(workloadTtlFromEnv({ DEFAULT_WORKLOAD_CERT_TTL: 'a day' }, warn), WORKLOAD_TTL_DEFAULTS);
  assert.match(warnings[0] ?? '', /invalid DEFAULT_WORKLOAD_CERT_TTL="a day", expecting a duration/);
  assert.deepEqual(
    workloadTtlFromEnv({ DEFAULT_WORKLOAD_CERT_TTL: '72h', MAX_WORKLOAD_CERT_TTL: '48h' }, warn),
    {
      defaultS: 48 * 3600,
      maxS: 48 * 3600,
    },
  );
  assert.match(warnings[1] ?? '', /above MAX_WORKLOAD_CERT_TTL/);
});

test('the CA issues the configured default lifetime and refuses more than the configured maximum', async () => {
  const ca = await CertificateAuthority.loadOrCreate(join(await mkdtemp(join(tmpdir(), 'weft-ttl-')), 'ca'));
  ca.workloadTtl = { defaultS: 3600, maxS: 2 * 3600 };
  const { csrPem } = await createCsr(ID);
  const leaf = new X509Certificate((await ca.sign(csrPem, ID))[0]!);
  const hours = (Date.parse(leaf.validTo) - Date.now()) / 3600_000;
  assert.ok(hours > 0.9 && hours <= 1, `lifetime ${hours}h`);
  await assert.rejects(
    ca.sign(csrPem, ID, { ttlSeconds: 3 * 3600 }),
    /requested TTL 3h0m0s is greater than the max allowed TTL 2h0m0s/,
  );
});
