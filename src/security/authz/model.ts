// One AuthorizationPolicy rule → one Envoy RBAC Policy (Istio pilot/pkg/security/authz/model):
// each `from` becomes a principal and each `to` a permission, both AND-ed with the `when`
// conditions of their kind; field values are OR-ed and `not*` values negated.
import type { Rule } from '../../api/security/index.js';
import type { Json } from '../envoy.js';
import { Attributes, attributeForKey, type Attribute, type AttributeContext } from './attributes.js';
import {
  expandTrustDomainAliases,
  replaceTrustDomainAliases,
  type TrustDomainBundle,
} from './trust-domain.js';

export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';

/** One attribute with its values and negated values; a list of entries is AND-ed. */
export interface Entry {
  key: string;
  values: readonly string[];
  notValues: readonly string[];
  attr: Attribute;
}

const PERMISSION_ANY: Json = { any: true };
const PRINCIPAL_ANY: Json = { any: true };

export function entry(
  attr: Attribute,
  key: string,
  values?: readonly string[] | null,
  notValues?: readonly string[] | null,
) {
  return values?.length || notValues?.length
    ? [{ key, attr, values: values ?? [], notValues: notValues ?? [] }]
    : [];
}

// Source and operation fields in the order Istio puts them in front of the `when` conditions.
export type Source = NonNullable<NonNullable<Rule['from']>[number]['source']>;
export type Operation = NonNullable<NonNullable<Rule['to']>[number]['operation']>;

export const sourceEntries = (s: Source): Entry[] => [
  ...entry(Attributes.sourcePrincipal, 'source.principal', s.principals, s.notPrincipals),
  ...entry(
    Attributes.requestPrincipal,
    'request.auth.principal',
    s.requestPrincipals,
    s.notRequestPrincipals,
  ),
  ...entry(Attributes.sourceServiceAccount, 'source.serviceAccount', s.serviceAccounts, s.notServiceAccounts),
  ...entry(Attributes.sourceTrustDomain, 'source.trustDomain', s.trustDomains, s.notTrustDomains),
  ...entry(Attributes.sourceNamespace, 'source.namespace', s.namespaces, s.notNamespaces),
  ...entry(Attributes.remoteIp, 'remote.ip', s.remoteIpBlocks, s.notRemoteIpBlocks),
  ...entry(Attributes.sourceIp, 'source.ip', s.ipBlocks, s.notIpBlocks),
];

export const operationEntries = (o: Operation): Entry[] => [
  ...entry(Attributes.host, ':authority', o.hosts, o.notHosts),
  ...entry(Attributes.method, ':method', o.methods, o.notMethods),
  ...entry(Attributes.path, 'path-matcher', o.paths, o.notPaths),
  ...entry(Attributes.destinationPort, 'destination.port', o.ports, o.notPorts),
];

export interface RuleModel {
  permissions: Entry[][];
  principals: Entry[][];
}

/** Parses a rule; throws for a `when` key Istio does not know. */
export function ruleModel(rule: Rule, bundle: TrustDomainBundle): RuleModel {
  const basePermission: Entry[] = [];
  const basePrincipal: Entry[] = [];
  for (const c of rule.when ?? []) {
    const key = c.key ?? '';
    const attr = attributeForKey(key);
    if (!attr) throw new Error(`unknown attribute ${key}`);
    (attr.target === 'permission' ? basePermission : basePrincipal).push(
      ...entry(attr, key, c.values, c.notValues),
    );
  }
  const principals = rule.from?.length
    ? rule.from.map((f) => [...(f.source ? sourceEntries(f.source) : []), ...basePrincipal])
    : [basePrincipal];
  const permissions = rule.to?.length
    ? rule.to.map((t) => [...(t.operation ? operationEntries(t.operation) : []), ...basePermission])
    : [basePermission];
  return {
    permissions,
    principals: principals.map((list) => list.map((e) => migrateTrustDomain(e, bundle))),
  };
}

export function migrateTrustDomain(e: Entry, bundle: TrustDomainBundle): Entry {
  const migrate =
    e.attr === Attributes.sourcePrincipal
      ? replaceTrustDomainAliases
      : e.attr === Attributes.sourceTrustDomain
        ? expandTrustDomainAliases
        : undefined;
  if (!migrate) return e;
  return { ...e, values: migrate(e.values, bundle), notValues: migrate(e.notValues, bundle) };
}

export interface GenerateOptions {
  forTCP: boolean;
  action: RbacAction;
  /** Namespace of the policy. */
  namespace: string;
  legacyHostRegex: boolean;
}

/**
 * Matchers for one value list. An attribute that cannot be built (HTTP-only on TCP, a bad value)
 * fails the whole rule for ALLOW, but is dropped for DENY and LOG so those stay broad (fail closed).
 */
function build(values: readonly string[], e: Entry, o: GenerateOptions): Json | undefined {
  const ctx: AttributeContext = { key: e.key, namespace: o.namespace, legacyHostRegex: o.legacyHostRegex };
  const attempt = (f: () => Json): Json | undefined => {
    try {
      if (e.attr.httpOnly && o.forTCP) throw new Error(`"${e.key}" is HTTP only`);
      return f();
    } catch (err) {
      if (o.action === 'ALLOW') throw err;
      return undefined;
    }
  };
  if (values.length === 0) return undefined;
  const { all, one } = e.attr;
  if (all) return attempt(() => all(values, ctx));
  const or = values.flatMap((v) => attempt(() => one!(v, ctx)) ?? []);
  if (or.length === 0) return undefined;
  return e.attr.target === 'permission' ? { or_rules: { rules: or } } : { or_ids: { ids: or } };
}

/** The AND of a list of entries as a Permission or Principal; throws as `build` does. */
export function conjunction(list: Entry[], o: GenerateOptions, target: 'permission' | 'principal'): Json {
  const parts: Json[] = [];
  for (const e of list) {
    const yes = build(e.values, e, o);
    const no = build(e.notValues, e, o);
    if (yes) parts.push(yes);
    if (no) parts.push(target === 'permission' ? { not_rule: no } : { not_id: no });
  }
  if (target === 'permission') return { and_rules: { rules: parts.length ? parts : [PERMISSION_ANY] } };
  return { and_ids: { ids: parts.length ? parts : [PRINCIPAL_ANY] } };
}

/** The RBAC Policy for a rule; throws when an ALLOW rule cannot be built for this filter chain. */
export function generatePolicy(m: RuleModel, o: GenerateOptions): Json {
  return {
    permissions: m.permissions.map((list) => conjunction(list, o, 'permission')),
    principals: m.principals.map((list) => conjunction(list, o, 'principal')),
  };
}
