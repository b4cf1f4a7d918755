// runtime.json in the state directory: what the running `weft up` tells the CLI (`weft status`,
// `logs`, `exec`, `proxy-config`, `down`): its pid, the published ingress and every pod's status.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodStatus } from './pod.js';

export interface PodRecord {
  name: string;
  namespace: string;
  /** The Deployment that owns it. */
  owner: string;
  netns?: string;
  proxy?: 'sidecar' | 'router';
  labels: Record<string, string>;
  status: PodStatus;
}

export interface RuntimeInfo {
  pid: number;
  runId: string;
  netStateDir: string;
  /** host:port published on loopback per ingress Service port. */
  ingress: Record<string, string>;
  controlPlane: { xds: string; http: string };
  pods: PodRecord[];
  /** Deployments still rolling out (pods missing, not Ready, or old ones still running). */
  pending: string[];
  updated: string;
}

const FILE = 'runtime.json';

export function writeRuntimeInfo(stateDir: string, info: RuntimeInfo): void {
  const file = join(stateDir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(info, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function readRuntimeInfo(stateDir: string): RuntimeInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, FILE), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
}

export function runtimeInfoFile(stateDir: string): string {
  return join(stateDir, FILE);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running `weft up`, or undefined when there is none (no file, or its process is gone). */
export function liveRuntime(stateDir: string): RuntimeInfo | undefined {
  const info = readRuntimeInfo(stateDir);
  return info && processAlive(info.pid) ? info : undefined;
}

/** Pod by name, or the first Ready (else any) pod of `deploy/NAME`, in `namespace` when given. */
export function findPod(info: RuntimeInfo, ref: string, namespace?: string): PodRecord | undefined {
  const inNs = info.pods.filter((p) => !namespace || p.namespace === namespace);
  const m = /^(?:deploy|deployment|deployments)\/(.+)$/.exec(ref);
  if (!m) return inNs.find((p) => p.name === ref);
  const mine = inNs.filter((p) => p.owner === m[1] && !p.status.terminating);
  return mine.find((p) => p.status.ready) ?? mine[0];
}
