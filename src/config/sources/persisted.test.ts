import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigStore } from '../store.js';
import { PersistedConfig } from './persisted.js';

const CHILD = fileURLToPath(new URL('./testdata/apply-loop.ts', import.meta.url));

interface Op {
  i: number;
  name: string;
  port: number | undefined;
}

/** Runs the apply loop until it has acknowledged some operations, then SIGKILLs it. */
async function runAndKill(stateDir: string, start: number): Promise<{ acked: Op[]; inFlight?: Op }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, stateDir, String(start)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const begun = new Map<number, Op>();
  const acked: Op[] = [];
  let buf = '';
  const killAfter = 5 + Math.floor(Math.random() * 60);
  child.stdout.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const [what, i, name, port] = buf.slice(0, nl).split(' ');
      buf = buf.slice(nl + 1);
      if (what === 'begin')
        begun.set(Number(i), { i: Number(i), name: name!, port: port === '-' ? undefined : Number(port) });
      else if (what === 'ack') {
        acked.push(begun.get(Number(i))!);
        // kill at a random moment: right away, or after a random few hundred microseconds
        if (acked.length === killAfter) setTimeout(() => child.kill('SIGKILL'), Math.random() * 3);
      }
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
  assert.equal(signal, 'SIGKILL', 'the child was killed, not crashed');
  const last = Math.max(...begun.keys());
  return { acked, ...(acked.at(-1)?.i !== last ? { inFlight: begun.get(last)! } : {}) };
}

async function reload(stateDir: string): Promise<Map<string, number>> {
  const store = new ConfigStore();
  const { diagnostics } = await PersistedConfig.open(store, stateDir);
  assert.deepEqual(diagnostics, [], 'nothing saved is corrupt');
  store.close();
  return new Map(
    store
      .list()
      .map((c) => [
        c.resource.metadata.name!,
        (c.resource.spec as { servers: { port: { number: number } }[] }).servers[0]!.port.number,
      ]),
  );
}

async function tempFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.startsWith('.tmp-')) out.push(e.name);
  return out;
}

test('everything acknowledged before SIGKILL is there after reload, and nothing is corrupt', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'weft-persist-'));
  let expected = new Map<string, number>();
  let next = 0;
  for (let round = 0; round < 4; round++) {
    const { acked, inFlight } = await runAndKill(stateDir, next);
    for (const op of acked) {
      if (op.port === undefined) expected.delete(op.name);
      else expected.set(op.name, op.port);
    }
    const actual = await reload(stateDir);
    assert.equal(await tempFiles(stateDir).then((t) => t.length), 0, 'interrupted writes are cleaned up');
    // the operation in flight at the kill may or may not have landed; nothing else may differ
    const names = new Set([...expected.keys(), ...actual.keys()]);
    for (const name of names) {
      if (actual.get(name) === expected.get(name)) continue;
      assert.equal(
        name,
        inFlight?.name,
        `${name}: acknowledged ${expected.get(name)}, found ${actual.get(name)}`,
      );
      assert.equal(actual.get(name), inFlight?.port);
    }
    expected = actual;
    next = Math.max(...acked.map((o) => o.i), inFlight?.i ?? 0) + 1;
  }
});
