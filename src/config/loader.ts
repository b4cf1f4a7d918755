// Reads resources the way `kubectl apply -f` does: YAML or JSON, multi-document files,
// `kind: List`, directories (recursive) and stdin. Every resource remembers file and line.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Loaded, Resource } from '../api/resource.js';
import type { Path } from '../api/schema/dsl.js';
import type { Diagnostic } from './diagnostics.js';

export interface LoadResult {
  resources: Loaded[];
  /** Problems that prevented a document from becoming a resource (syntax, not an object, …). */
  diagnostics: Diagnostic[];
}

const EXTENSIONS = /\.(ya?ml|json)$/i;

function nodeAt(root: unknown, path: Path): Node | undefined {
  let cur: unknown = root;
  for (const key of path) {
    if (isMap(cur)) cur = cur.get(key, true);
    else if (isSeq(cur) && typeof key === 'number') cur = cur.get(key, true);
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur as Node;
}

/** Parses one file's text into resources. `file` names it in messages ('-' for stdin). */
export function parseResources(text: string, file: string): LoadResult {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false }) as
    Document[] | unknown;
  const out: LoadResult = { resources: [], diagnostics: [] };
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lc.linePos(offset).line);
  if (!Array.isArray(docs)) {
    out.diagnostics.push({ severity: 'error', file, line: 1, message: 'could not parse YAML stream' });
    return out;
  }
  for (const doc of docs as Document[]) {
    const docLine = lineOf(doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        out.diagnostics.push({
          severity: 'error',
          file,
          line: e.linePos?.[0]?.line ?? docLine,
          message: `YAML syntax error: ${e.message.split('\n')[0]}`,
        });
      continue;
    }
    // Empty documents (between '---' separators, or after a trailing '---') are skipped, as kubectl does.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      out.diagnostics.push({
        severity: 'error',
        file,
        line: docLine,
        message: `YAML error: ${(e as Error).message}`,
      });
      continue;
    }
    const push = (v: unknown, base: Path): void => {
      const node = nodeAt(doc.contents, base);
      const line = lineOf(node?.range?.[0]) || docLine;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        out.diagnostics.push({
          severity: 'error',
          file,
          line,
          message: 'document is not an object (expected apiVersion, kind, metadata…)',
        });
        return;
      }
      const res = v as Resource;
      if (res.kind === 'List' && Array.isArray((res as { items?: unknown }).items) && !res.spec) {
        (res as unknown as { items: unknown[] }).items.forEach((item, i) =>
          push(item, [...base, 'items', i]),
        );
        return;
      }
      out.resources.push({
        resource: res,
        source: {
          file,
          line,
          locate: (p) => {
            const n = nodeAt(doc.contents, [...base, ...p]);
            return n?.range ? lineOf(n.range[0]) : undefined;
          },
        },
      });
    };
    push(value, []);
  }
  return out;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await listFiles(p)));
    else if (EXTENSIONS.test(e.name)) files.push(p);
  }
  return files;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Loads files, directories (recursively) and '-' (stdin). Missing paths become diagnostics. */
export async function loadPaths(
  paths: readonly string[],
  stdin: () => Promise<string> = readStdin,
): Promise<LoadResult> {
  const out: LoadResult = { resources: [], diagnostics: [] };
  const add = (r: LoadResult): void => {
    out.resources.push(...r.resources);
    out.diagnostics.push(...r.diagnostics);
  };
  for (const p of paths) {
    if (p === '-') {
      add(parseResources(await stdin(), '<stdin>'));
      continue;
    }
    let files: string[];
    try {
      files = (await stat(p)).isDirectory() ? await listFiles(p) : [p];
    } catch (e) {
      out.diagnostics.push({
        severity: 'error',
        file: p,
        message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      });
      continue;
    }
    for (const f of files) {
      try {
        add(parseResources(await readFile(f, 'utf8'), f));
      } catch (e) {
        out.diagnostics.push({ severity: 'error', file: f, message: `cannot read: ${(e as Error).message}` });
      }
    }
  }
  return out;
}
