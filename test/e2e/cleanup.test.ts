// Item 10 of the local runtime: after `weft down`, and after kill -9 of every Weft process
// followed by `weft up`/`weft down`, nothing of Weft's remains and nothing else was touched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TestMesh, sleep } from './mesh.js';

const mesh = new TestMesh();
after(async () => {
  await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
});

interface RunRecord {
  runId: string;
  bridge: string;
  pods: Record<string, { netns: string; hostVeth: string }>;
}

const netnsList = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
const links = (): string[] =>
  (JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[]).map(
    (l) => l.ifname,
  );

/** The run record of a run other than `not` (a crashed run's record stays until cleaned), if any. */
function runRecord(not?: string): RunRecord | undefined {
  const dir = join(mesh.stateDir, 'run');
  return readdirSync(dir)
    .filter((f) => /^run-[0-9a-f]+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunRecord)
    .find((r) => r.runId !== not);
}

/** Starts a foreground `weft up` and waits until its ingress gateway pod has a namespace. */
async function upUntilPods(not?: string): Promise<{ pid: number; run: RunRecord }> {
  const child = mesh.spawnUp();
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 240; i++) {
    await sleep(250);
    if (child.exitCode !== null) throw new Error(`weft up exited (${child.exitCode}): ${err}`);
    const dir = join(mesh.stateDir, 'run');
    if (!existsSync(dir)) continue;
    const run = runRecord(not);
    if (!run) continue;
    const pods = Object.values(run.pods);
    if (pods.length > 0 && netnsList().includes(pods[0]!.netns)) {
      await sleep(1000); // let the agent and proxy processes start inside the pod
      return { pid: child.pid!, run };
    }
  }
  throw new Error(`no pod network after 60s: ${err}`);
}

/**
 * Someone else's namespace and link, named like Weft's on purpose; cleanup must leave them.
 * (Comparing the whole machine before and after would also see other meshes that tests running
 * at the same time bring up and down.)
 */
function canaries(): { netns: string; link: string; remove: () => void } {
  const id = randomBytes(3).toString('hex');
  const netns = `weft-canary-${id}`;
  const link = `weftc${id}`;
  execFileSync('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', `weftd${id}`]);
  execFileSync('ip', ['netns', 'add', netns]);
  return {
    netns,
    link,
    remove: () => {
      execFileSync('ip', ['netns', 'del', netns]);
      execFileSync('ip', ['link', 'del', link]);
    },
  };
}

function assertGone(run: RunRecord, others: { netns: string; link: string }): void {
  const ns = netnsList();
  const ls = links();
  for (const p of Object.values(run.pods)) {
    assert.ok(!ns.includes(p.netns), `namespace ${p.netns} remains`);
    assert.ok(!ls.includes(p.hostVeth), `link ${p.hostVeth} remains`);
    assert.ok(!existsSync(join('/etc/netns', p.netns)), `/etc/netns/${p.netns} remains`);
  }
  assert.ok(!ls.includes(run.bridge), `bridge ${run.bridge} remains`);
  assert.ok(!ns.some((n) => n.startsWith(`weft-${run.runId}-`)), 'a namespace of the run remains');
  // Nothing of anyone else's was touched.
  assert.ok(ns.includes(others.netns), `someone else's namespace ${others.netns} was removed`);
  assert.ok(ls.includes(others.link), `someone else's link ${others.link} was removed`);
  assert.ok(!existsSync(join(mesh.stateDir, 'runtime.json')), 'runtime.json remains');
}

test('scenario 00 (cleanup): weft down removes every namespace, link, process and file of the run', async () => {
  const others = canaries();
  try {
    const { pid, run } = await upUntilPods();
    const down = await mesh.down();
    assert.equal(down.code, 0, down.stderr);
    assert.throws(() => process.kill(pid, 0), 'weft up still running after weft down');
    assertGone(run, others);
  } finally {
    others.remove();
  }
});

test('scenario 00 (crash): after kill -9 of every Weft process, weft up then weft down leave nothing', async (t) => {
  const others = canaries();
  t.after(others.remove);
  const { pid, run } = await upUntilPods();
  const podPids = Object.values(run.pods).flatMap((p) =>
    execFileSync('ip', ['netns', 'pids', p.netns], { encoding: 'utf8' })
      .split(/\s+/)
      .filter(Boolean)
      .map(Number),
  );
  assert.ok(podPids.length > 0, 'no processes in the pods');
  for (const p of [pid, ...podPids]) process.kill(p, 'SIGKILL');
  await sleep(500);
  // The next `weft up` removes the crashed run's leftovers before creating its own.
  const second = await upUntilPods(run.runId);
  assert.ok(
    !netnsList().some((n) => n.startsWith(`weft-${run.runId}-`)),
    'crashed run not cleaned by weft up',
  );
  const down = await mesh.down();
  assert.equal(down.code, 0, down.stderr);
  assert.throws(() => process.kill(second.pid, 0));
  assertGone(run, others);
  assertGone(second.run, others);
});
