// use_original_dst hand-off under real iptables REDIRECT, in a private network namespace
// (unshare -n) so nothing outside the test is affected. Needs root and iptables; skipped without.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));
const canRun =
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['-n', 'iptables', '-t', 'nat', '-L', '-n'], { stdio: 'ignore' }).status === 0;

describe('original destination hand-off', () => {
  it(
    'a REDIRECTed connection reaches the listener for its original destination',
    { skip: !canRun && 'needs root, unshare and iptables' },
    () => {
      const script = [
        'ip link set lo up',
        'iptables -t nat -A OUTPUT -p tcp -d 127.0.0.2 --dport 9999 -j REDIRECT --to-ports 15001',
        `exec "${process.execPath}" --import tsx "${join(here, 'fixtures/original-dst-run.ts')}"`,
      ].join(' && ');
      const r = spawnSync('unshare', ['-n', 'sh', '-c', script], {
        encoding: 'utf8',
        timeout: 60_000,
        cwd: join(here, '../..'),
      });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      assert.ok(line.startsWith('{'), `no result; stderr: ${r.stderr}`);
      const out = JSON.parse(line) as {
        viaRedirect: { status: number; body: string };
        direct: { status: number; body: string };
      };
      assert.equal(out.viaRedirect.status, 200);
      assert.deepEqual(JSON.parse(out.viaRedirect.body), { url: '/through-capture', host: '127.0.0.2:9999' });
      // Not redirected: the original destination is virtualOutbound itself, so its own chain answers.
      assert.equal(out.direct.status, 502);
      assert.equal(out.direct.body, 'fallthrough');
    },
  );
});
