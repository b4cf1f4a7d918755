// Reads resources the way `kubectl apply -f` does: YAML or JSON, multi-document files,
// `kind: List`, directories (recursive) and stdin. Every resource remembers file and line.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Loaded, Resource } from '../api/resource.js';
import type { Path } from '../api/schema/dsl.js';
import type { Diagnostic } from './diagnostics.js';

export interface LoadResult {
  resources: Loaded[];
  /** Problems that prevented a document from becoming a resource (syntax, not an object, …). */
  diagnostics: Diagnostic[];
}

const EXTENSIONS = /\.(ya?ml|json)$/i;

/**
 * The 1-based line of the node at `path` in a parsed document. A path that goes on past a string
 * value is followed into that string as YAML: a ConfigMap key holding a document (the istio
 * ConfigMap's `mesh`) gets its errors on the lines where they are.
 */
function lineAt(doc: Document, lc: LineCounter, path: Path): number | undefined {
  let cur: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (isScalar(cur) && typeof cur.value === 'string' && cur.range) {
      const innerLc = new LineCounter();
      const inner = lineAt(parseDocument(cur.value, { lineCounter: innerLc }), innerLc, path.slice(i));
      if (inner === undefined) return undefined;
      // A block scalar's text starts on the line after its indicator (`mesh: |`).
      const block = cur.type === 'BLOCK_LITERAL' || cur.type === 'BLOCK_FOLDED';
      return lc.linePos(cur.range[0]).line + (block ? 1 : 0) + inner - 1;
    }
    if (isMap(cur)) cur = cur.get(key, true);
    else if (isSeq(cur) && typeof key === 'number') cur = cur.get(key, true);
    else return undefined;
    if (cur === undefined) return undefined;
  }
  const range = (cur as Node | undefined)?.range;
  return range ? lc.linePos(range[0]).line : undefined;
}

/** One YAML document's text and the 1-based line it starts on in its file. */
interface Chunk {
  text: string;
  startLine: number;
}

const SEPARATOR = /^(?:---|\.\.\.)(?:[ \t]|$)/;

/**
 * Splits a stream at document markers in column 0 (where YAML always ends a document), so each
 * document parses alone and a syntax error in one does not hide the others.
 */
function splitDocuments(text: string): Chunk[] {
  const lines = text.split('\n');
  const chunks: Chunk[] = [];
  let from = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || (i > from && SEPARATOR.test(lines[i]!))) {
      chunks.push({ text: lines.slice(from, i).join('\n'), startLine: from + 1 });
      from = i;
    }
  }
  return chunks;
}

/** A document with nothing but separators, comments and blank lines (kubectl skips these). */
function isBlank(chunk: string): boolean {
  return chunk.split('\n').every((l) => /^\s*(#.*)?$/.test(l) || SEPARATOR.test(l));
}

/** First line holding content (the line a resource is reported at). */
function contentLine(chunk: Chunk): number {
  const lines = chunk.text.split('\n');
  const i = lines.findIndex((l) => !/^\s*(#.*)?$/.test(l) && !/^(---|\.\.\.)\s*$/.test(l));
  return chunk.startLine + Math.max(0, i);
}

// Aliases can expand exponentially ("billion laughs"); such documents go through the `yaml`
// parser, which bounds alias expansion.
const ALIAS = /(^|[\s[{,])\*[^\s,\]}]/;

// "[1.2.3.4, 2001:db8::]": YAML 1.2 reads the ':' before ']' as a mapping indicator (a one-key
// map {"2001:db8:": null}); Kubernetes' YAML parser, which users' files are written against,
// reads an IPv6 address. Such maps are turned back into the address.
const IPV6_KEY = /^[0-9A-Fa-f:.]*::?$/;

function ipv6AsKubernetesReadsIt(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(ipv6AsKubernetesReadsIt);
  if (typeof v !== 'object' || v === null) return v;
  const entries = Object.entries(v);
  if (
    entries.length === 1 &&
    entries[0]![1] === null &&
    IPV6_KEY.test(entries[0]![0]) &&
    entries[0]![0].includes(':')
  )
    return `${entries[0]![0]}:`;
  for (const [k, x] of entries) (v as Record<string, unknown>)[k] = ipv6AsKubernetesReadsIt(x);
  return v;
}

/** Parses a document: js-yaml for speed; `yaml` (bounded aliases) when the text uses aliases. */
function parseChunk(chunk: Chunk): { value: unknown } | { line: number; message: string } {
  if (ALIAS.test(chunk.text)) {
    const doc = parseDocument(chunk.text, { uniqueKeys: true, prettyErrors: false });
    const err = doc.errors[0];
    if (err)
      return {
        line: chunk.startLine + (err.linePos?.[0]?.line ?? 1) - 1,
        message: `YAML syntax error: ${err.message.split('\n')[0]}`,
      };
    try {
      return { value: doc.toJS({ maxAliasCount: 100 }) };
    } catch (e) {
      return { line: contentLine(chunk), message: `YAML error: ${(e as Error).message}` };
    }
  }
  try {
    const value = jsyaml.load(chunk.text, { schema: jsyaml.CORE_SCHEMA });
    return { value: chunk.text.includes('::') ? ipv6AsKubernetesReadsIt(value) : value };
  } catch (e) {
    const ex = e as jsyaml.YAMLException;
    return {
      line: chunk.startLine + (ex.mark?.line ?? 0),
      message: `YAML syntax error: ${ex.reason ?? ex.message}`,
    };
  }
}

/** Finds a field's line inside a document, parsing it for positions only when first asked. */
function locator(chunk: Chunk): (path: Path) => number | undefined {
  let cached: { doc: Document; lc: LineCounter } | undefined;
  return (path) => {
    if (!cached) {
      const lc = new LineCounter();
      cached = { doc: parseDocument(chunk.text, { lineCounter: lc }), lc };
    }
    const line = lineAt(cached.doc, cached.lc, path);
    return line === undefined ? undefined : chunk.startLine + line - 1;
  };
}

/** Parses one file's text into resources. `file` names it in messages ('<stdin>' for stdin). */
export function parseResources(text: string, file: string): LoadResult {
  const out: LoadResult = { resources: [], diagnostics: [] };
  for (const chunk of splitDocuments(text)) {
    if (isBlank(chunk.text)) continue;
    const parsed = parseChunk(chunk);
    if ('message' in parsed) {
      out.diagnostics.push({ severity: 'error', file, line: parsed.line, message: parsed.message });
      continue;
    }
    if (parsed.value === null || parsed.value === undefined) continue;
    const locate = locator(chunk);
    const docLine = contentLine(chunk);
    const push = (v: unknown, base: Path): void => {
      const line = base.length ? (locate(base) ?? docLine) : docLine;
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
      out.resources.push({ resource: res, source: { file, line, locate: (p) => locate([...base, ...p]) } });
    };
    push(parsed.value, []);
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
