// The image catalogue: how a container `image` in Kubernetes YAML becomes a local command on
// `weft up` (DESIGN.md §3). YAML: images: { <image>: { command, args, env, workingDir } }.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { arr, map, obj, str, Sink, formatPath, type Infer } from '../api/schema/dsl.js';
import { parseResources } from '../config/loader.js';

const ImageEntry = obj(
  {
    command: arr(str({ minLength: 1 }), { minItems: 1 }),
    args: arr(str()),
    env: map(str()),
    workingDir: str(),
  },
  { required: ['command'] },
);
const Catalogue = obj({ images: map(ImageEntry) }, { required: ['images'] });

export interface ImageCommand {
  command: string[];
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export class ImageCatalogue {
  constructor(private readonly entries: Map<string, ImageCommand>) {}

  /** Resolves `name:tag`; a tag-less reference means `:latest`, then the bare name. */
  resolve(image: string): ImageCommand | undefined {
    const hasTag = /:[^/]+$/.test(image);
    return (
      this.entries.get(image) ??
      (hasTag ? undefined : (this.entries.get(`${image}:latest`) ?? this.entries.get(image)))
    );
  }

  images(): string[] {
    return [...this.entries.keys()].sort();
  }
}

/** Relative paths (./x, ../x) in command and args are resolved against the catalogue's folder. */
function resolvePaths(values: readonly string[], base: string): string[] {
  return values.map((v) => (v.startsWith('./') || v.startsWith('../') ? resolve(base, v) : v));
}

export function parseImageCatalogue(text: string, file: string): ImageCatalogue {
  const parsed = parseResources(text, file);
  const first = parsed.diagnostics[0];
  if (first) throw new Error(`${file}:${first.line ?? 1}: ${first.message}`);
  const doc = parsed.resources[0];
  if (!doc) throw new Error(`${file}: empty image catalogue (expected "images:")`);
  const sink = new Sink();
  Catalogue.check(doc.resource, [], sink);
  if (!sink.ok) {
    const msgs = sink.issues.map(
      (i) => `${file}:${doc.source.locate?.(i.path) ?? doc.source.line}: ${formatPath(i.path)}: ${i.message}`,
    );
    throw new Error(msgs.join('\n'));
  }
  const value = doc.resource as unknown as Infer<typeof Catalogue>;
  const base = dirname(isAbsolute(file) ? file : resolve(file));
  const entries = new Map<string, ImageCommand>();
  for (const [image, e] of Object.entries(value.images ?? {})) {
    entries.set(image, {
      command: resolvePaths(e.command ?? [], base),
      args: resolvePaths(e.args ?? [], base),
      env: e.env ?? {},
      cwd: e.workingDir ? resolve(base, e.workingDir) : base,
    });
  }
  return new ImageCatalogue(entries);
}

export async function loadImageCatalogue(file: string): Promise<ImageCatalogue> {
  return parseImageCatalogue(await readFile(file, 'utf8'), file);
}
