// Config given on the command line (`-f FILE|DIR|-`, repeatable): read, validated, counted.
// Inside a directory, a YAML document with neither apiVersion nor kind (such as the weather
// sample's images.yaml) is not a manifest: it is skipped with a note.
import type { Loaded } from '../../api/resource.js';
import { validateLoaded } from '../../api/validate.js';
import type { Diagnostic } from '../diagnostics.js';
import { loadPaths } from '../loader.js';
import { stat } from 'node:fs/promises';

export function isManifest(l: Loaded): boolean {
  return l.resource.apiVersion !== undefined || l.resource.kind !== undefined;
}

export interface CheckedInput {
  /** Every manifest read. */
  resources: Loaded[];
  /** Read and validation problems, in input order. */
  diagnostics: Diagnostic[];
  files: number;
}

async function isDir(p: string): Promise<boolean> {
  return (
    p !== '-' &&
    (await stat(p)
      .then((s) => s.isDirectory())
      .catch(() => false))
  );
}

/** Reads paths; `validate` also checks each manifest against its kind. */
export async function readInput(paths: readonly string[], validate: boolean): Promise<CheckedInput> {
  const out: CheckedInput = { resources: [], diagnostics: [], files: 0 };
  const files = new Set<string>();
  for (const p of paths) {
    const dir = await isDir(p);
    const r = await loadPaths([p]);
    out.diagnostics.push(...r.diagnostics);
    for (const l of r.resources) {
      files.add(l.source.file);
      if (dir && !isManifest(l)) {
        out.diagnostics.push({
          severity: 'info',
          file: l.source.file,
          line: l.source.line,
          message: 'skipped: not a Kubernetes object (no apiVersion or kind)',
        });
        continue;
      }
      out.resources.push(l);
      if (validate) out.diagnostics.push(...validateLoaded(l));
    }
    for (const d of r.diagnostics) if (d.file) files.add(d.file);
  }
  out.files = files.size;
  return out;
}
