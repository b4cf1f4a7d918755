// Which quotas a request charges (Istio 1.1's client config: QuotaSpecBinding binds QuotaSpecs to
// destination services — by name/namespace, FQDN or `*`; a QuotaSpec rule charges its quotas when
// one of its matches holds, each match a set of string attribute clauses, or always without any).
import type { Resource } from '../api/resource.js';
import type { AttributeBag } from '../api/mixer/index.js';
import { pbGet } from '../api/mixer/fields.js';
import { hostMatches } from '../registry/host.js';

type Rec = Record<string, unknown>;

export interface QuotaRequirement {
  quota: string;
  charge: number;
}

export type QuotaRequirements = (destinationHost: string, bag: AttributeBag) => QuotaRequirement[];

const nsOf = (r: Resource): string => r.metadata.namespace ?? 'default';

type Clause = (value: string) => boolean;

function clause(m: Rec): Clause {
  if (typeof m.exact === 'string') return (v) => v === m.exact;
  if (typeof m.prefix === 'string') return (v) => v.startsWith(m.prefix as string);
  if (typeof m.regex === 'string') {
    const re = new RegExp(`^(?:${m.regex})$`);
    return (v) => re.test(v);
  }
  return () => true;
}

function specMatcher(spec: Rec): (bag: AttributeBag) => QuotaRequirement[] {
  const rules = ((spec.rules ?? []) as Rec[]).map((r) => ({
    matches: ((r.match ?? []) as Rec[]).map((m) =>
      Object.entries((m.clause ?? {}) as Record<string, Rec>).map(([attr, c]) => [attr, clause(c)] as const),
    ),
    quotas: ((r.quotas ?? []) as Rec[]).map((q) => ({
      quota: String(q.quota),
      charge: Number(q.charge ?? 0),
    })),
  }));
  const get = (bag: AttributeBag, name: string): unknown =>
    bag instanceof Map ? bag.get(name) : (bag as Rec)[name];
  return (bag) =>
    rules.flatMap((r) =>
      r.matches.length === 0 ||
      r.matches.some((m) =>
        m.every(([attr, ok]) => {
          const v = get(bag, attr);
          return typeof v === 'string' && ok(v);
        }),
      )
        ? r.quotas
        : [],
    );
}

/** Compiles the QuotaSpecs and QuotaSpecBindings among the resources. */
export function quotaRequirements(resources: readonly Resource[]): QuotaRequirements {
  const specs = new Map<string, (bag: AttributeBag) => QuotaRequirement[]>();
  for (const r of resources.filter((x) => x.kind === 'QuotaSpec'))
    specs.set(`${r.metadata.name}.${nsOf(r)}`, specMatcher((r.spec ?? {}) as Rec));
  const bindings = resources
    .filter((x) => x.kind === 'QuotaSpecBinding')
    .map((b) => {
      const spec = (b.spec ?? {}) as Rec;
      const ns = nsOf(b);
      const hosts = ((spec.services ?? []) as Rec[]).map((s) =>
        typeof s.service === 'string' && s.service !== ''
          ? s.service
          : `${String(s.name)}.${String(s.namespace ?? ns)}.svc.${String(s.domain ?? 'cluster.local')}`,
      );
      const refs = ((pbGet(spec, 'quota_specs') ?? []) as Rec[]).map(
        (q) => `${String(q.name)}.${String(q.namespace ?? ns)}`,
      );
      return { hosts, refs };
    });
  return (host, bag) => {
    const refs = new Set(
      bindings.filter((b) => b.hosts.some((h) => hostMatches(h, host))).flatMap((b) => b.refs),
    );
    return [...refs].flatMap((ref) => specs.get(ref)?.(bag) ?? []);
  };
}
