// One pod's network namespace as seen by the rest of the runtime: its address, a way to run
// commands and processes inside it.
import type { ChildProcess } from 'node:child_process';
import { runInNetns, spawnInNetns, type PodSpawnOptions, type RunOptions } from './exec.js';

export class PodNetwork {
  constructor(
    readonly name: string,
    readonly namespace: string,
    /** `weft-<runId>-<name>.<namespace>` */
    readonly netns: string,
    readonly ip: string,
    readonly hostVeth: string,
  ) {}

  /** Runs a command to completion inside the pod (as root); resolves with stdout. */
  exec(cmd: string, args: readonly string[], opts?: RunOptions): Promise<string> {
    return runInNetns(this.netns, cmd, args, opts);
  }

  /** Starts a process inside the pod; see runInPod. */
  spawn(cmd: string, args: readonly string[], opts?: PodSpawnOptions): ChildProcess {
    return runInPod(this, cmd, args, opts);
  }
}

/**
 * Starts a process inside the pod as `uid`/`gid` (default root without net_admin/net_raw/sys_admin);
 * the proxy runs as uid 1337, with `capabilities: ['net_admin']` under TPROXY.
 */
export function runInPod(
  pod: Pick<PodNetwork, 'netns'>,
  cmd: string,
  args: readonly string[],
  opts?: PodSpawnOptions,
): ChildProcess {
  return spawnInNetns(pod.netns, cmd, args, opts);
}
