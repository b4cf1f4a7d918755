// Removing the objects a run recorded. Every step tolerates the object being gone already, so
// teardown can be repeated after a crash at any point.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, run } from './exec.js';
import { NETNS_ETC } from './hosts.js';
import { removeState, type PodRecord, type RunState } from './state.js';

const MISSING = /No such file|Cannot find device|does not exist/i;

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof CommandError && MISSING.test(e.stderr))) throw e;
  }
}

/** Every process in the namespace is one a pod started, so all of them go (SIGKILL). */
export async function killNetnsProcesses(netns: string): Promise<number[]> {
  let pids: number[] = [];
  await ignoreMissing(
    run('ip', ['netns', 'pids', netns]).then((out) => {
      pids = out.split(/\s+/).filter(Boolean).map(Number);
    }),
  );
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited between listing and killing.
    }
  }
  return pids;
}

export async function deleteLink(name: string): Promise<void> {
  await ignoreMissing(run('ip', ['link', 'delete', name]));
}

export async function removePod(rec: PodRecord): Promise<void> {
  await killNetnsProcesses(rec.netns);
  // Deleting the host end removes the pair, synchronously, whatever still pins the namespace.
  await deleteLink(rec.hostVeth);
  await ignoreMissing(run('ip', ['netns', 'delete', rec.netns]));
  rmSync(join(NETNS_ETC, rec.netns), { recursive: true, force: true });
}

/** Removes a whole run: its pods, then its bridge, then its record. */
export async function removeRun(stateDir: string, state: RunState): Promise<void> {
  for (const pod of Object.values(state.pods)) await removePod(pod);
  await deleteLink(state.bridge);
  removeState(stateDir, state.runId);
}
