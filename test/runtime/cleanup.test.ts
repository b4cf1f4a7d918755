// Crash recovery: after kill -9 of the process that made pods, cleanupAll removes every
// namespace, link, hosts directory and process of that run, and leaves others' objects alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanupAll } from '../../src/runtime/cleanup.js';
import { run } from '../../src/runtime/net/exec.js';
import { FIXTURES } from './helpers.js';

interface Made {
  runId: string;
  bridge: string;
  pods: { netns: string; hostVeth: string; pid: number }[];
}

/** Running = exists and is not a zombie waiting for a reaper. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function netnsNames(): Promise<string[]> {
  return (await run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0] ?? '');
}

async function linkNames(): Promise<string[]> {
  return (JSON.parse(await run('ip', ['-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);
}

test('cleanupAll removes a killed run completely and nothing else', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'weft-cleanup-'));
  // "Someone else's" objects, deliberately named like Weft's: cleanup goes by its record, not by name.
  const tag = randomBytes(2).toString('hex');
  const foreignNetns = `weft-foreign-${tag}`;
  const foreignLink = `weftforeign${tag}`;
  t.after(async () => {
    await cleanupAll({ stateDir });
    rmSync(stateDir, { recursive: true, force: true });
    await run('ip', ['netns', 'delete', foreignNetns]).catch(() => undefined);
    await run('ip', ['link', 'delete', foreignLink]).catch(() => undefined);
  });
  await run('ip', ['netns', 'add', foreignNetns]);
  await run('ip', ['link', 'add', foreignLink, 'type', 'bridge']);

  const creator = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(FIXTURES, 'creator.ts'),
      stateDir,
      `10.${randomInt(200, 250)}.${randomInt(0, 256)}.0/24`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const made = await new Promise<Made>((resolve, reject) => {
    let out = '';
    creator.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out) as Made);
    });
    creator.on('exit', (code) => reject(new Error(`creator exited with ${code}`)));
  });
  creator.kill('SIGKILL');
  await new Promise((resolve) => creator.once('exit', resolve));

  // The crash left everything behind.
  const pods = made.pods;
  assert.equal(pods.length, 2);
  assert.ok(
    pods.every((p) => running(p.pid)),
    'pod processes outlive their creator',
  );
  assert.ok((await netnsNames()).includes(pods[0]?.netns ?? '?'));

  const report = await cleanupAll({ stateDir });
  assert.deepEqual(report.runs, [made.runId]);

  const netns = await netnsNames();
  const links = await linkNames();
  for (const p of pods) {
    assert.ok(!netns.includes(p.netns), `${p.netns} removed`);
    assert.ok(!links.includes(p.hostVeth), `${p.hostVeth} removed`);
    assert.ok(!existsSync(join('/etc/netns', p.netns)), `/etc/netns/${p.netns} removed`);
    assert.ok(!running(p.pid), `pod process ${p.pid} killed`);
  }
  assert.ok(!links.includes(made.bridge), 'bridge removed');
  assert.deepEqual(readdirSync(stateDir), [], 'run record removed');
  assert.ok(netns.includes(foreignNetns), 'a namespace Weft did not make survives');
  assert.ok(links.includes(foreignLink), 'a link Weft did not make survives');
});
