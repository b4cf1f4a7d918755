// The agent's certificate lifetime and renewal time, as a pod's proxyMetadata sets them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renewalDelay } from './cert-rotator.js';
import { SECRET_DEFAULTS, secretOptionsFromEnv } from './secret-options.js';

test('SECRET_TTL and the grace ratio come from the environment, Istio defaults otherwise', () => {
  const warnings: string[] = [];
  const warn = (m: string): number => warnings.push(m);
  assert.deepEqual(secretOptionsFromEnv({}, warn), { ttlSeconds: 86400, graceRatio: 0.5, graceJitter: 0.01 });
  assert.deepEqual(
    secretOptionsFromEnv(
      { SECRET_TTL: '1h30m', SECRET_GRACE_PERIOD_RATIO: '0.2', SECRET_GRACE_PERIOD_RATIO_JITTER: '0' },
      warn,
    ),
    { ttlSeconds: 5400, graceRatio: 0.2, graceJitter: 0 },
  );
  // validity_duration is whole seconds.
  assert.equal(secretOptionsFromEnv({ SECRET_TTL: '2.5s' }, warn).ttlSeconds, 2);
  assert.deepEqual(warnings, []);
});

test('a malformed setting is reported and the default used', () => {
  const warnings: string[] = [];
  const opts = secretOptionsFromEnv(
    { SECRET_TTL: '24 hours', SECRET_GRACE_PERIOD_RATIO: '1.5', SECRET_GRACE_PERIOD_RATIO_JITTER: 'x' },
    (m) => warnings.push(m),
  );
  assert.deepEqual(opts, SECRET_DEFAULTS);
  assert.equal(warnings.length, 3);
  assert.match(warnings[0]!, /invalid SECRET_TTL="24 hours", expecting a duration/);
  assert.match(warnings[1]!, /invalid SECRET_GRACE_PERIOD_RATIO="1.5"/);
  assert.equal(secretOptionsFromEnv({ SECRET_TTL: '500ms' }, (m) => warnings.push(m)).ttlSeconds, 86400);
});

test('renewal comes when the grace ratio of the lifetime is left, within the jitter', () => {
  const now = 1_000_000;
  // Backdated by a minute, as the CA issues: the lifetime still counts from now.
  const cert = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 100_000) };
  assert.equal(renewalDelay(cert, 0.5, 0, now), 50_000);
  assert.equal(renewalDelay(cert, 0.2, 0, now), 80_000);
  for (let i = 0; i < 200; i++) {
    const d = renewalDelay(cert, 0.5, 0.1, now);
    assert.ok(d >= 40_000 && d <= 60_000, `delay ${d}`);
  }
  const spread = new Set(Array.from({ length: 50 }, () => renewalDelay(cert, 0.5, 0.1, now)));
  assert.ok(spread.size > 1, 'jitter staggers renewals');
  assert.equal(renewalDelay(cert, 0.5, 0, now + 200_000), 0, 'an expired certificate renews at once');
});
