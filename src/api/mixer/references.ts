// Cross-resource references in Mixer config, for the analyzer: a rule's action handler and
// instances, a prometheus metric's instance_name. Names resolve like Mixer's canonicalize():
// "name" → name.<kind>.<ns>; "a.b" → a.b.<ns> (legacy kind) or a.<kind>.b (namespace).
import type { Path } from '../schema/dsl.js';
import type { Resource } from '../resource.js';
import { ADAPTERS } from './adapters.js';
import { pbGet } from './fields.js';
import { GROUP, LEGACY_ADAPTER_KINDS } from './kinds.js';
import { TEMPLATES } from './templates.js';

export interface MixerReference {
  /** Field path of the reference inside the resource. */
  path: Path;
  role: 'handler' | 'instance';
  /** As written. */
  ref: string;
  /** Fully qualified names (name.kind.namespace) it may denote, in Mixer's lookup order. */
  candidates: string[];
}

type Rec = Record<string, unknown>;

function namespaceOf(res: Resource): string {
  return res.metadata.namespace ?? 'default';
}

/** Mixer's fully qualified name of a config.istio.io resource: name.kind.namespace. */
export function mixerFqn(res: Resource): string {
  return `${res.metadata.name ?? ''}.${res.kind}.${namespaceOf(res)}`;
}

/** Mixer's canonicalize(): the fully qualified names a reference may denote, in lookup order. */
export function canonicalize(ref: string, role: string, ns: string): string[] {
  const parts = ref.split('.');
  if (parts.length === 1) return [`${ref}.${role}.${ns}`];
  if (parts.length === 2) return [`${parts[0]}.${parts[1]}.${ns}`, `${parts[0]}.${role}.${parts[1]}`];
  return [ref];
}

/** References from one Mixer resource to others; empty for kinds that hold none. */
export function mixerReferences(res: Resource): MixerReference[] {
  if (!res.apiVersion?.startsWith(`${GROUP}/`)) return [];
  const spec = (res.spec ?? {}) as Rec;
  const ns = namespaceOf(res);
  const out: MixerReference[] = [];
  const add = (path: Path, role: 'handler' | 'instance', ref: unknown): void => {
    if (typeof ref === 'string' && ref !== '')
      out.push({ path, role, ref, candidates: canonicalize(ref, role, ns) });
  };
  if (res.kind === 'rule') {
    ((spec.actions ?? []) as Rec[]).forEach((a, i) => {
      add(['spec', 'actions', i, 'handler'], 'handler', a.handler);
      ((a.instances ?? []) as unknown[]).forEach((n, j) =>
        add(['spec', 'actions', i, 'instances', j], 'instance', n),
      );
    });
  }
  const adapter = handlerAdapter(res);
  if (adapter === 'prometheus') {
    const params = (res.kind === 'handler' ? (spec.params ?? {}) : spec) as Rec;
    const base = res.kind === 'handler' ? ['spec', 'params'] : ['spec'];
    ((params.metrics ?? []) as Rec[]).forEach((m, i) => {
      const key = m.instance_name !== undefined ? 'instance_name' : 'instanceName';
      add([...base, 'metrics', i, key], 'instance', pbGet(m, 'instance_name'));
    });
  }
  return out;
}

/** The compiled adapter behind a handler (new-style or legacy kind), if any. */
export function handlerAdapter(res: Resource): string | undefined {
  if (res.kind === 'handler') return pbGet((res.spec ?? {}) as Rec, 'compiled_adapter') as string | undefined;
  return LEGACY_ADAPTER_KINDS[res.kind];
}

/** The compiled template behind an instance (new-style or legacy kind), if any. */
export function instanceTemplate(res: Resource): string | undefined {
  if (res.kind === 'instance')
    return pbGet((res.spec ?? {}) as Rec, 'compiled_template') as string | undefined;
  return res.kind in TEMPLATES ? res.kind : undefined;
}

/** Whether a compiled adapter accepts instances of a template (Mixer's SupportedTemplates). */
export function adapterSupports(adapter: string, template: string): boolean {
  return (ADAPTERS[adapter]?.templates as readonly string[] | undefined)?.includes(template) ?? false;
}
