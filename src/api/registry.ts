// Every kind Weft understands, keyed by group and kind: its versions, schema and semantic rules.
import type { Resource } from './resource.js';
import type { Schema, Sink } from './schema/dsl.js';

export interface KindDef {
  group: string;
  kind: string;
  versions: readonly string[];
  /** Lower-case plural, as kubectl and `weft get` name it. */
  plural: string;
  /** Extra names accepted by `weft get` (short names, singular). */
  aliases?: readonly string[];
  namespaced: boolean;
  /** Top-level fields besides apiVersion, kind, metadata (e.g. spec, data, subsets). */
  body: Record<string, Schema<unknown>>;
  /** Top-level fields that must be present. */
  required?: readonly string[];
  /** Rules that need the whole resource (metadata and spec together). */
  validate?: (res: Resource, sink: Sink) => void;
}

const byGroupKind = new Map<string, KindDef>();

function gk(group: string, kind: string): string {
  return `${group}/${kind}`;
}

export function registerKind(def: KindDef): KindDef {
  const key = gk(def.group, def.kind);
  if (byGroupKind.has(key)) throw new Error(`kind ${key} registered twice`);
  byGroupKind.set(key, def);
  return def;
}

export function lookupKind(group: string, kind: string): KindDef | undefined {
  return byGroupKind.get(gk(group, kind));
}

export function allKinds(): KindDef[] {
  return [...byGroupKind.values()];
}

/** Finds a kind by the name a user types: Kind, plural, alias, or plural.group. */
export function findKindByName(name: string): KindDef | undefined {
  const lower = name.toLowerCase();
  const [head, ...rest] = lower.split('.');
  const group = rest.join('.');
  for (const d of byGroupKind.values()) {
    if (group && d.group !== group) continue;
    const names = [d.kind.toLowerCase(), d.plural, ...(d.aliases ?? [])];
    if (names.includes(group ? head! : lower)) return d;
  }
  return undefined;
}
