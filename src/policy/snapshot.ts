// Mixer's config snapshot for the Check path (runtime/config BuildSnapshot + routing.BuildTable,
// CHECK and QUOTA varieties): handlers of the adapters Weft runs, CHECK and QUOTA instances with
// their compiled field expressions, rules with their compiled match, each action resolved the way
// Mixer resolves names, and the quotas requests charge (QuotaSpec/QuotaSpecBinding). Bad parts
// are left out with an error naming them, as Mixer elides them — except that a rule which compiled
// before keeps its last good version.
import type { Resource } from '../api/resource.js';
import {
  adapterSupports,
  canonicalize,
  compileMixerExpression,
  DEFAULT_VOCABULARY,
  extendVocabulary,
  handlerAdapter,
  instanceTemplate,
  mixerFqn,
  type AttributeBag,
  type AttributeVocabulary,
  type CompiledExpression,
  type MixerValue,
  type ValueType,
} from '../api/mixer/index.js';
import { pbGet } from '../api/mixer/fields.js';
import { buildDenier } from './adapters/denier.js';
import { buildList } from './adapters/list.js';
import { buildMemQuota } from './adapters/memquota.js';
import { quotaRequirements, type QuotaRequirements } from './quota-specs.js';
import type { AdapterEnv, HandlerBuilder, InstanceValues, Params, PolicyHandler } from './adapters/types.js';

type Rec = Record<string, unknown>;

/** Compiled adapters that answer Check and quota (Mixer's names). */
const BUILDERS: Record<string, HandlerBuilder> = {
  denier: buildDenier,
  listchecker: buildList,
  memquota: buildMemQuota,
};
/** Templates of the CHECK and QUOTA varieties: the fields and string maps their instances evaluate. */
const TEMPLATES: Record<string, { variety: 'CHECK' | 'QUOTA'; fields: string[]; maps: string[] }> = {
  checknothing: { variety: 'CHECK', fields: [], maps: [] },
  listentry: { variety: 'CHECK', fields: ['value'], maps: [] },
  quota: { variety: 'QUOTA', fields: [], maps: ['dimensions'] },
};

export interface PolicyInstance {
  /** Fully qualified (name.kind.namespace). */
  name: string;
  template: string;
  variety: 'CHECK' | 'QUOTA';
  build(bag: AttributeBag): InstanceValues;
}

export interface PolicyAction {
  /** As Mixer names the handler in a denial (legacy kinds: name.kind.ns; handler: name.ns). */
  handlerName: string;
  /** The handler's signature (its key in PolicySnapshot.handlers). */
  handlerKey: string;
  handler: PolicyHandler;
  instances: PolicyInstance[];
}

export interface PolicyRule {
  name: string;
  namespace: string;
  /** Absent: always. Throws when an attribute it needs is missing. */
  match?: (bag: AttributeBag) => boolean;
  actions: PolicyAction[];
}

export interface PolicySnapshot {
  rules: PolicyRule[];
  quotas: QuotaRequirements;
  /** What was left out, and why. */
  errors: string[];
  /** The handlers rules use, by signature (name, adapter and params). */
  handlers: ReadonlyMap<string, PolicyHandler>;
}

const nsOf = (r: Resource): string => r.metadata.namespace ?? 'default';
const paramsOf = (r: Resource, generic: string): Params =>
  ((r.kind === generic ? (r.spec as Rec | undefined)?.params : r.spec) ?? {}) as Params;

function vocabularyOf(resources: readonly Resource[]): AttributeVocabulary {
  const more: [string, ValueType][] = [];
  for (const r of resources.filter((x) => x.kind === 'attributemanifest'))
    for (const [name, a] of Object.entries(((r.spec as Rec | undefined)?.attributes ?? {}) as Rec))
      more.push([name, pbGet(a as Rec, 'value_type') as ValueType]);
  return more.length ? extendVocabulary(DEFAULT_VOCABULARY, more) : DEFAULT_VOCABULARY;
}

type Compiled = CompiledExpression & { ok: true };

function compile(src: unknown, at: string, vocab: AttributeVocabulary): Compiled | undefined {
  if (typeof src !== 'string') return undefined;
  const c = compileMixerExpression(src, undefined, vocab);
  if (!c.ok) throw new Error(`${at}: ${c.error}`);
  return c;
}

function compileInstance(r: Resource, template: string, vocab: AttributeVocabulary): PolicyInstance {
  const params = paramsOf(r, 'instance');
  const t = TEMPLATES[template]!;
  const fields: [string, Compiled][] = [];
  for (const f of t.fields) {
    const c = compile(params[f], f, vocab);
    if (c) fields.push([f, c]);
  }
  const maps: [string, [string, Compiled][]][] = t.maps.map((m) => [
    m,
    Object.entries((params[m] ?? {}) as Rec).flatMap(([k, src]) => {
      const c = compile(src, `${m}.${k}`, vocab);
      return c ? [[k, c] as [string, Compiled]] : [];
    }),
  ]);
  return {
    name: mixerFqn(r),
    template,
    variety: t.variety,
    build(bag) {
      const out: Record<string, MixerValue | Record<string, MixerValue>> = {};
      for (const [f, c] of fields) out[f] = c.evaluate(bag);
      for (const [m, entries] of maps)
        out[m] = Object.fromEntries(entries.map(([k, c]) => [k, c.evaluate(bag)]));
      return out;
    },
  };
}

/**
 * Compiles the Mixer resources (config.istio.io) into the Check routing. Handlers are built only
 * when a rule uses them, and a handler of the previous snapshot with the same signature is reused
 * (as Mixer does), so quota counters and fetched lists survive unrelated config changes; the
 * caller closes the previous handlers the new snapshot does not hold. Where Mixer would drop the
 * broken part of a rule, a rule that compiled before keeps its last good version instead.
 */
export function buildPolicySnapshot(
  resources: readonly Resource[],
  env: AdapterEnv,
  previous?: Pick<PolicySnapshot, 'rules' | 'handlers'>,
): PolicySnapshot {
  const errors: string[] = [];
  const vocab = vocabularyOf(resources);
  const handlerRes = new Map<string, Resource>();
  const instanceRes = new Map<string, Resource>();
  for (const r of resources) {
    if (handlerAdapter(r)) handlerRes.set(mixerFqn(r), r);
    if (instanceTemplate(r)) instanceRes.set(mixerFqn(r), r);
  }
  const handlers = new Map<string, PolicyHandler>();
  const instances = new Map<string, PolicyInstance>();
  /** Why a handler (by signature) or instance (by name) could not be built, reported per use. */
  const failed = new Map<string, string>();
  const attempt = <T>(key: string, what: string, where: string, build: () => T): T | undefined => {
    if (!failed.has(key))
      try {
        return build();
      } catch (e) {
        failed.set(key, `${what}: ${(e as Error).message}`);
      }
    errors.push(`${where}: ${failed.get(key)!}`);
    return undefined;
  };

  const handler = (fqn: string, r: Resource, where: string): [string, PolicyHandler] | undefined => {
    const adapter = handlerAdapter(r)!;
    const params = paramsOf(r, 'handler');
    const sig = `${fqn}\n${adapter}\n${JSON.stringify(params)}`;
    const h = attempt(sig, `handler='${fqn}'`, where, () => {
      const built = handlers.get(sig) ?? previous?.handlers.get(sig) ?? BUILDERS[adapter]!(params, env);
      handlers.set(sig, built);
      return built;
    });
    return h && [sig, h];
  };
  const instance = (fqn: string, r: Resource, where: string): PolicyInstance | undefined =>
    attempt(fqn, `instance='${fqn}'`, where, () => {
      const built = instances.get(fqn) ?? compileInstance(r, instanceTemplate(r)!, vocab);
      instances.set(fqn, built);
      return built;
    });

  const rules: PolicyRule[] = [];
  const lastGood = new Map((previous?.rules ?? []).map((r) => [r.name, r]));
  for (const r of resources.filter((x) => x.kind === 'rule')) {
    const name = mixerFqn(r);
    const errorsBefore = errors.length;
    const keepLastGood = (): boolean => {
      const old = lastGood.get(name);
      if (!old) return false;
      errors.push(`rule='${name}': keeping its last good version`);
      for (const a of old.actions) handlers.set(a.handlerKey, a.handler);
      rules.push(old);
      return true;
    };
    const ns = nsOf(r);
    const spec = (r.spec ?? {}) as Rec;
    const matchSrc = typeof spec.match === 'string' ? spec.match.trim() : '';
    const match = matchSrc ? compileMixerExpression(matchSrc, 'BOOL', vocab) : undefined;
    if (match && !match.ok) {
      errors.push(`rule='${name}'.Match: ${match.error}`);
      keepLastGood();
      continue;
    }
    const actions: PolicyAction[] = [];
    ((spec.actions ?? []) as Rec[]).forEach((a, i) => {
      const where = `action='${name}[${i}]'`;
      const ref = String(a.handler ?? '');
      const hfqn = canonicalize(ref, 'handler', ns).find((c) => handlerRes.has(c));
      if (!hfqn) return errors.push(`${where}: Handler not found: handler='${ref}'`);
      const hres = handlerRes.get(hfqn)!;
      const adapter = handlerAdapter(hres)!;
      const runnable: Resource[] = [];
      for (const iref of (a.instances ?? []) as string[]) {
        const ifqn = canonicalize(iref, 'instance', ns).find((c) => instanceRes.has(c));
        if (!ifqn) {
          errors.push(`${where}: Instance not found: instance='${iref}'`);
          continue;
        }
        const ires = instanceRes.get(ifqn)!;
        const template = instanceTemplate(ires)!;
        if (!adapterSupports(adapter, template))
          errors.push(
            `${where}: instance '${ifqn}' is of template '${template}' which is not supported by handler '${hfqn}'`,
          );
        // Report instances belong to the Report call; Check runs CHECK and QUOTA ones.
        else if (template in TEMPLATES) runnable.push(ires);
      }
      if (runnable.length === 0 || !(adapter in BUILDERS)) return;
      const h = handler(hfqn, hres, where);
      const built = runnable.map((x) => instance(mixerFqn(x), x, where));
      if (!h || built.some((x) => !x)) return;
      actions.push({
        handlerName: hres.kind === 'handler' ? `${hres.metadata.name}.${nsOf(hres)}` : hfqn,
        handlerKey: h[0],
        handler: h[1],
        instances: built as PolicyInstance[],
      });
    });
    if (errors.length > errorsBefore && keepLastGood()) continue;
    if (actions.length === 0) continue;
    rules.push({
      name,
      namespace: ns,
      ...(match ? { match: (bag: AttributeBag) => match.evaluate(bag) === true } : {}),
      actions,
    });
  }
  return {
    rules,
    quotas: quotaRequirements(resources),
    errors,
    handlers,
  };
}
