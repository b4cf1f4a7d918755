// `weft up` preflight: says exactly what is missing and how to install it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { preflight } from '../../src/runtime/net/preflight.js';

const SBIN = '/usr/sbin';
const BIN = '/usr/bin';

test('as root with every tool present there is nothing to report', async () => {
  assert.deepEqual(await preflight(), []);
});

test('a PATH without iptables names the missing tools and the package to install', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-path-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(SBIN, 'ip'), join(dir, 'ip'));
  symlinkSync(join(BIN, 'setpriv'), join(dir, 'setpriv'));
  symlinkSync(join(BIN, 'unshare'), join(dir, 'unshare'));
  assert.deepEqual(await preflight({ path: dir }), [
    {
      problem:
        'iptables, iptables-restore, iptables-save, ip6tables-restore, ip6tables-save not found in PATH ' +
        '(needed to install traffic capture rules in pods)',
      fix: 'apt-get install -y iptables',
    },
  ]);
});

test('an empty PATH asks for iproute2, iptables and util-linux', async () => {
  const fixes = (await preflight({ path: '' })).map((p) => p.fix);
  assert.deepEqual(fixes, [
    'apt-get install -y iproute2',
    'apt-get install -y iptables',
    'apt-get install -y util-linux',
  ]);
});

test('without root it says root is needed', () => {
  const script = `import('${join(import.meta.dirname, '../../src/runtime/net/preflight.ts')}')
    .then((m) => m.preflight()).then((p) => console.log(JSON.stringify(p)))`;
  const r = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', script],
    {
      encoding: 'utf8',
      cwd: join(import.meta.dirname, '../..'),
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const problems = JSON.parse(r.stdout) as { problem: string; fix: string }[];
  assert.match(problems[0]?.problem ?? '', /not running as root/);
  assert.equal(problems[0]?.fix, 'run as root, e.g. `sudo weft up`');
});
