// Weft's state directory (--state-dir, WEFT_STATE_DIR, /var/lib/weft as root, else ~/.weft):
// applied config, and control-plane.json telling the CLI where the running control plane is.
// Writes are atomic and durable: temp file + fsync + rename + fsync of the directory.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

export function resolveStateDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env.WEFT_STATE_DIR) return env.WEFT_STATE_DIR;
  return process.getuid?.() === 0 ? '/var/lib/weft' : join(homedir(), '.weft');
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Creates `dir` and makes every directory it had to create durable in its parent. */
async function mkdirDurable(dir: string, synced: Set<string>): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    const parent = dirname(d);
    if (!synced.has(parent)) {
      synced.add(parent);
      await fsyncDir(parent);
    }
    if (d === first || parent === d) break;
  }
}

/** Temp files start with '.tmp-' so readers can skip, and clean up, what a crash left behind. */
export function isTempFile(name: string): boolean {
  return name.startsWith('.tmp-');
}

/**
 * Writes files so that after a crash each holds either its old or its new content, and returns
 * only once the new contents and directory entries are on disk.
 */
export async function writeFilesDurably(files: readonly { path: string; data: string }[]): Promise<void> {
  const dirs = new Set(files.map((f) => dirname(f.path)));
  const synced = new Set<string>();
  for (const d of dirs) await mkdirDurable(d, synced);
  const temps = await Promise.all(
    files.map(async (f) => {
      const tmp = join(dirname(f.path), `.tmp-${basename(f.path)}-${randomBytes(6).toString('hex')}`);
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(f.data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return tmp;
    }),
  );
  await Promise.all(files.map((f, i) => rename(temps[i]!, f.path)));
  await Promise.all([...dirs].map(fsyncDir));
}

/** Removes files (missing ones are fine) and makes the removals durable. */
export async function removeFilesDurably(paths: readonly string[]): Promise<void> {
  await Promise.all(
    paths.map((p) =>
      unlink(p).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      }),
    ),
  );
  await Promise.all(
    [...new Set(paths.map(dirname))].map((d) =>
      fsyncDir(d).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      }),
    ),
  );
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
