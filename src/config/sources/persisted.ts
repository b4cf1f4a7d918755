// Config applied through the API (`weft apply`), kept in the state directory: one JSON file per
// object under config/<group>/<Kind>/<namespace>/<name>.json, written durably before an apply is
// acknowledged, and reloaded into the store on start. Applies and deletes run one at a time.
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { type ApplyResult, type ConfigInput, type ConfigStore } from '../store.js';
import type { ConfigKey } from '../store-types.js';
import type { Resource } from '../../api/resource.js';
import { isTempFile, removeFilesDurably, writeFilesDurably } from '../../util/durable-fs.js';

export const API_OWNER = 'api';

async function walkJson(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walkJson(p, out);
    else if (isTempFile(e.name))
      await unlink(p).catch(() => undefined); // a write a crash interrupted
    else if (e.name.endsWith('.json')) out.push(p);
  }
}

export class PersistedConfig {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly root: string;

  private constructor(
    readonly store: ConfigStore,
    stateDir: string,
  ) {
    this.root = join(stateDir, 'config');
  }

  /** Opens the state directory and loads what it holds; objects that no longer validate are reported. */
  static async open(
    store: ConfigStore,
    stateDir: string,
  ): Promise<{ persisted: PersistedConfig; diagnostics: Diagnostic[] }> {
    const p = new PersistedConfig(store, stateDir);
    return { persisted: p, diagnostics: await p.load() };
  }

  private fileOf(k: ConfigKey): string {
    return join(this.root, k.group || 'core', k.kind, k.namespace || '_cluster', `${k.name}.json`);
  }

  private async load(): Promise<Diagnostic[]> {
    const files: string[] = [];
    await walkJson(this.root, files);
    const diagnostics: Diagnostic[] = [];
    for (const file of files.sort()) {
      let resource: Resource;
      try {
        resource = JSON.parse(await readFile(file, 'utf8')) as Resource;
      } catch (e) {
        diagnostics.push({
          severity: 'error',
          file,
          message: `unreadable saved config: ${(e as Error).message}`,
        });
        continue;
      }
      const r = this.store.apply([{ resource, source: { file, line: 1 } }], { owner: API_OWNER });
      if (!r.ok) diagnostics.push(...r.diagnostics);
    }
    return diagnostics;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Validates all inputs, makes the changed ones durable, then stores them (all-or-nothing). */
  apply(inputs: readonly ConfigInput[], defaultNamespace?: string): Promise<ApplyResult> {
    return this.serial(async () => {
      const opts = { owner: API_OWNER, ...(defaultNamespace ? { defaultNamespace } : {}) };
      const plan = this.store.apply(inputs, { ...opts, dryRun: true });
      if (!plan.ok) return plan;
      const writes = inputs.flatMap((input, i) => {
        const { key, outcome } = plan.items[i]!;
        if (outcome === 'unchanged' && this.store.ownerOf(key) === API_OWNER) return [];
        const resource = { ...input.resource, metadata: { ...input.resource.metadata, name: key.name } };
        if (key.namespace) resource.metadata.namespace = key.namespace;
        return [{ path: this.fileOf(key), data: `${JSON.stringify(resource)}\n` }];
      });
      await writeFilesDurably(writes);
      return this.store.apply(inputs, opts);
    });
  }

  /** Deletes objects (durably first); returns the keys that existed. */
  delete(keys: readonly ConfigKey[]): Promise<ConfigKey[]> {
    return this.serial(async () => {
      await removeFilesDurably(keys.map((k) => this.fileOf(k)));
      return this.store.delete(keys);
    });
  }
}
