// Crash-safe file writes: temp file + fsync + rename + fsync of the directory, so after a kill -9
// or power loss each file holds either its old or its new content.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
export async function writeFilesDurably(
  files: readonly { path: string; data: string | Uint8Array; mode?: number }[],
): Promise<void> {
  const dirs = new Set(files.map((f) => dirname(f.path)));
  const synced = new Set<string>();
  for (const d of dirs) await mkdirDurable(d, synced);
  const temps = await Promise.all(
    files.map(async (f) => {
      const tmp = join(dirname(f.path), `.tmp-${basename(f.path)}-${randomBytes(6).toString('hex')}`);
      const fh = await open(tmp, 'w', f.mode ?? 0o600);
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
