// Weft's state directory (--state-dir, WEFT_STATE_DIR, /var/lib/weft as root, else ~/.weft):
// applied config, and control-plane.json telling the CLI where the running control plane is.
// Writes are atomic and durable (../util/durable-fs.ts).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { removeFilesDurably, writeFilesDurably } from '../util/durable-fs.js';

export function resolveStateDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env.WEFT_STATE_DIR) return env.WEFT_STATE_DIR;
  return process.getuid?.() === 0 ? '/var/lib/weft' : join(homedir(), '.weft');
}

/** What the running control plane tells the CLI (state-dir/control-plane.json). */
export interface ControlPlaneInfo {
  pid: number;
  /** host:port of the HTTP server with the config API (default 127.0.0.1:15014). */
  http: string;
  /** host:port of the xDS server, when it runs one. */
  xds?: string;
}

const INFO_FILE = 'control-plane.json';

export async function writeControlPlaneInfo(stateDir: string, info: ControlPlaneInfo): Promise<void> {
  await writeFilesDurably([{ path: join(stateDir, INFO_FILE), data: `${JSON.stringify(info, null, 2)}\n` }]);
}

/** Removes control-plane.json if it still describes process `pid`. */
export async function removeControlPlaneInfo(stateDir: string, pid: number): Promise<void> {
  const info = await readInfoFile(stateDir);
  if (info?.pid === pid) await removeFilesDurably([join(stateDir, INFO_FILE)]);
}

async function readInfoFile(stateDir: string): Promise<ControlPlaneInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(join(stateDir, INFO_FILE), 'utf8')) as Partial<ControlPlaneInfo>;
    return typeof v.pid === 'number' && typeof v.http === 'string' ? (v as ControlPlaneInfo) : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else (root)
  }
}

/** The running control plane, or undefined when none is (no file, or its process is gone). */
export async function readControlPlaneInfo(stateDir: string): Promise<ControlPlaneInfo | undefined> {
  const info = await readInfoFile(stateDir);
  return info && alive(info.pid) ? info : undefined;
}
