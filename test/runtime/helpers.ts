// Shared fixtures for runtime tests: a private mesh network per test file (own run id, state
// directory and pod CIDR, removed after the test even when it fails) and processes in pods.
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupAll } from '../../src/runtime/cleanup.js';
import { MeshNetwork } from '../../src/runtime/net/mesh-network.js';
import type { PodSpawnOptions } from '../../src/runtime/net/exec.js';
import type { PodNetwork } from '../../src/runtime/net/pod.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
/** TEST-NET-2: an address no mesh route covers. */
export const OUTSIDE_ADDRESS = '198.51.100.7';

/**
 * A private mesh network for one test file: its own state directory and a /24 pod CIDR in
 * 10.200-249.x.0 that no route on the machine (or parallel test) uses yet. Register `cleanup`
 * (with node:test `after`) before `create`, so even a half-made network is removed.
 */
export class TestNetwork {
  readonly stateDir = mkdtempSync(join(tmpdir(), 'weft-test-'));

  async create(): Promise<MeshNetwork> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await MeshNetwork.create({
          stateDir: this.stateDir,
          podCidr: `10.${randomInt(200, 250)}.${randomInt(0, 256)}.0/24`,
          serviceCidr: `10.${randomInt(96, 100)}.${randomInt(0, 256)}.0/24`,
        });
      } catch (e) {
        if (attempt >= 5 || !/overlaps/.test(String(e))) throw e;
      }
    }
  }

  async cleanup(): Promise<void> {
    await cleanupAll({ stateDir: this.stateDir });
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

export interface PodProcess {
  proc: ChildProcess;
  /** JSON lines printed by the process since start (or since the last `clear`). */
  lines: Record<string, string>[];
}

/** Starts a fixture script in the pod and waits for it to print `ready`. */
export function startFixture(
  pod: PodNetwork,
  script: string,
  args: string[],
  opts: PodSpawnOptions = {},
): Promise<PodProcess> {
  const proc = pod.spawn(process.execPath, [join(FIXTURES, script), ...args], { cwd: FIXTURES, ...opts });
  const lines: Record<string, string>[] = [];
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') resolve({ proc, lines });
        else lines.push(JSON.parse(line) as Record<string, string>);
      }
    });
    proc.on('exit', (code) => reject(new Error(`${script} exited (${code}) before ready: ${stderr}`)));
  });
}

export interface ClientResult {
  status?: number;
  body?: { pod: string; remote: string };
  error?: string;
  ms?: number;
}

/** Runs a fixture script in the pod to completion and parses the JSON line it prints. */
export async function jsonFromPod<T>(
  pod: PodNetwork,
  script: string,
  args: string[],
  opts: PodSpawnOptions = {},
): Promise<T> {
  const proc = pod.spawn(process.execPath, [join(FIXTURES, script), ...args], { cwd: FIXTURES, ...opts });
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  await new Promise((resolve) => proc.on('close', resolve));
  if (out === '') throw new Error(`${script} printed nothing: ${err}`);
  return JSON.parse(out) as T;
}

/** One HTTP GET from inside the pod, by a client process running as `uid`. */
export function httpFromPod(pod: PodNetwork, host: string, port: number, uid = 0): Promise<ClientResult> {
  return jsonFromPod<ClientResult>(pod, 'client.mjs', [host, String(port)], { uid });
}
