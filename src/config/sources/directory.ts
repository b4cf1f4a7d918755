// A directory of Istio YAML as a config source (Galley's fs source): loads it recursively, then
// watches every directory (fs.watch is not recursive on Linux) and re-reads what changed; YAML
// that is not a manifest (no apiVersion, no kind: an image catalogue) is ignored. Each
// file owns its resources: an invalid save is reported with file:line and the file's last good
// version keeps serving; deleting a file deletes its resources.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import { parseResources } from '../loader.js';
import type { ConfigStore } from '../store.js';
import { isManifest } from './files.js';

export interface DirectorySourceOptions {
  /** Settle time after a file-system event before re-reading (default 50 ms). */
  rescanDelayMs?: number;
  /** Where rejected files are reported (default console.error). */
  log?: (line: string) => void;
}

/** A file whose current content is not serving, and why. */
export interface FileStatus {
  file: string;
  diagnostics: Diagnostic[];
}

const CONFIG_FILE = /\.(ya?ml|json)$/i;

interface FileState {
  signature: string;
  diagnostics: Diagnostic[];
}

async function walk(dir: string, dirs: string[], files: string[]): Promise<void> {
  dirs.push(dir);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // removed while we looked; the next event settles it
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue; // editors' swap and temp files
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, dirs, files);
    else if (CONFIG_FILE.test(e.name)) files.push(p);
  }
}

export class DirectorySource {
  private files = new Map<string, FileState>();
  private watchers = new Map<string, FSWatcher>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly rescanDelayMs: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly store: ConfigStore,
    readonly dir: string,
    opts: DirectorySourceOptions = {},
  ) {
    this.rescanDelayMs = opts.rescanDelayMs ?? 50;
    this.log = opts.log ?? ((l) => console.error(l));
  }

  /** Loads the directory and starts watching it. Throws if the directory cannot be read. */
  async start(): Promise<void> {
    if (!(await stat(this.dir)).isDirectory()) throw new Error(`${this.dir} is not a directory`);
    await this.rescan();
  }

  /** Files whose content is rejected (their last good version, if any, is serving). */
  status(): FileStatus[] {
    return [...this.files]
      .filter(([, s]) => s.diagnostics.some((d) => d.severity === 'error'))
      .map(([file, s]) => ({ file, diagnostics: s.diagnostics }))
      .sort((a, b) => a.file.localeCompare(b.file));
  }

  /** Resolves once pending file-system changes have been read. */
  async settled(): Promise<void> {
    while (this.running || this.timer) await (this.running ?? new Promise((r) => setTimeout(r, 10)));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.rescan();
    }, this.rescanDelayMs);
  }

  private rescan(): Promise<void> {
    this.running = this.scanOnce()
      .catch((e: unknown) => this.log(`config: reading ${this.dir} failed: ${(e as Error).message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
    return this.running;
  }

  private async scanOnce(): Promise<void> {
    const dirs: string[] = [];
    const found: string[] = [];
    await walk(this.dir, dirs, found);
    if (this.closed) return;
    this.syncWatchers(dirs);
    for (const file of found) {
      let signature: string;
      try {
        const s = await stat(file);
        signature = `${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        continue; // gone again; handled below
      }
      if (this.files.get(file)?.signature === signature) continue;
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue;
      }
      this.load(file, text, signature);
    }
    const present = new Set(found);
    for (const file of [...this.files.keys()]) {
      if (present.has(file)) continue;
      this.files.delete(file);
      this.store.replaceOwner(file, []);
    }
  }

  private load(file: string, text: string, signature: string): void {
    const parsed = parseResources(text, file);
    let diagnostics = parsed.diagnostics;
    if (!diagnostics.some((d) => d.severity === 'error')) {
      const r = this.store.replaceOwner(file, parsed.resources.filter(isManifest));
      if (!r.ok) diagnostics = [...diagnostics, ...r.diagnostics];
    }
    this.files.set(file, { signature, diagnostics });
    if (diagnostics.some((d) => d.severity === 'error')) {
      this.log(`config: rejected ${file}; its last good version keeps serving:`);
      for (const d of diagnostics) this.log(`  ${formatDiagnostic(d)}`);
    }
  }

  private syncWatchers(dirs: readonly string[]): void {
    const wanted = new Set(dirs);
    for (const [d, w] of this.watchers) {
      if (wanted.has(d)) continue;
      w.close();
      this.watchers.delete(d);
    }
    for (const d of dirs) {
      if (this.watchers.has(d)) continue;
      try {
        const w = watch(d, { persistent: false }, () => this.schedule());
        w.on('error', () => {
          w.close();
          this.watchers.delete(d);
          this.schedule();
        });
        this.watchers.set(d, w);
      } catch {
        // the directory vanished between listing and watching; its parent's event rescans
      }
    }
  }
}
