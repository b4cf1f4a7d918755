// The record of everything one Weft run created (bridge, namespaces, veths, addresses), written
// before each object is made so `cleanupAll` can remove exactly those after any crash.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** tmpfs: a reboot removes the namespaces and this record together. */
export const DEFAULT_STATE_DIR = '/run/weft';

export interface PodRecord {
  netns: string;
  hostVeth: string;
  ip: string;
}

export interface RunState {
  version: 1;
  runId: string;
  podCidr: string;
  serviceCidr: string;
  bridge: string;
  gateway: string;
  nextVethIndex: number;
  /** Keyed by `<namespace>/<name>`. */
  pods: Record<string, PodRecord>;
  /** Service VIPs keyed by `<namespace>/<name>`. */
  services: Record<string, string>;
}

export function stateFile(stateDir: string, runId: string): string {
  return join(stateDir, `run-${runId}.json`);
}

/** Atomic replace, so a kill -9 mid-write leaves the previous record, never a torn one. */
export function saveState(stateDir: string, state: RunState): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = stateFile(stateDir, state.runId);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function listStates(stateDir: string): RunState[] {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^run-[0-9a-f]+\.json$/.test(n))
    .map((n) => JSON.parse(readFileSync(join(stateDir, n), 'utf8')) as RunState);
}

export function removeState(stateDir: string, runId: string): void {
  rmSync(stateFile(stateDir, runId), { force: true });
}
