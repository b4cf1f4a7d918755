// Istio 1.1 RBAC (rbac.istio.io/v1alpha1) → the same Envoy RBAC filters AuthorizationPolicy uses
// (Istio 1.1 plugin/authz/rbac.go semantics on today's Envoy): ClusterRbacConfig (or the older
// RbacConfig) turns RBAC on for services; each ServiceRole of the service's namespace with rules
// for the service becomes an ALLOW policy named after the role, one permission per matching rule
// and one principal per subject of the bindings that reference it. PERMISSIVE bindings (or
// enforcementMode PERMISSIVE) become shadow rules. With RBAC on and no role, everything is denied.
import type { RbacConfig, ServiceRole, ServiceRoleBinding } from '../../api/security/index.js';
import type { RequestPrincipalSource } from '../authn/v1alpha1.js';
import { Attributes, type Attribute } from '../authz/attributes.js';
import {
  conjunction,
  entry,
  migrateTrustDomain,
  operationEntries,
  sourceEntries,
  type Entry,
  type GenerateOptions,
} from '../authz/model.js';
import { filter, FilterName, MessageName, type EnvoyFilter, type Json } from '../envoy.js';
import { labelsSubset } from '../select.js';

export interface RbacV1alpha1Config {
  /** The mesh singleton `default` (preferred), else the older RbacConfig `default`. */
  clusterRbacConfig?: RbacConfig;
  rbacConfig?: RbacConfig;
  roles: readonly { name: string; namespace: string; spec: ServiceRole }[];
  bindings: readonly { name: string; namespace: string; spec: ServiceRoleBinding }[];
}

/** The service instance an inbound listener serves. */
export interface RbacServiceInstance {
  /** FQDN, e.g. advertisement.weather.svc.cluster.local. */
  hostname: string;
  /** Short name and namespace. */
  name: string;
  namespace: string;
  /** The workload's labels (destination.labels[...]). */
  labels: Readonly<Record<string, string>>;
  /** The workload's service account name (destination.user). */
  serviceAccount?: string;
}

export interface RbacV1alpha1Options {
  trustDomain?: string;
  trustDomainAliases?: readonly string[];
  /**
   * What `request.auth.principal` is, from the service's 1.1 authentication Policy
   * (v1alpha1RequestPrincipal): the JWT's iss/sub (default) or the peer certificate's identity.
   */
  requestPrincipal?: RequestPrincipalSource;
}

type Target = NonNullable<RbacConfig['inclusion']>;
type AccessRule = NonNullable<ServiceRole['rules']>[number];
type Subject = NonNullable<ServiceRoleBinding['subjects']>[number];

/** Istio 1.1 stringMatch: `*`, `prefix*`, `*suffix` or exact. */
function matches(value: string, patterns: readonly string[] | undefined): boolean {
  return (patterns ?? []).some(
    (p) =>
      p === '*' ||
      p === value ||
      (p.endsWith('*') && value.startsWith(p.slice(0, -1))) ||
      (p.startsWith('*') && value.endsWith(p.slice(1))),
  );
}

function inTarget(t: Target | undefined, s: RbacServiceInstance): boolean {
  if (!t) return false;
  return (
    (t.namespaces ?? []).includes(s.namespace) ||
    (t.services ?? []).includes(s.hostname) ||
    (t.workloadSelectors ?? []).some((w) => labelsSubset(w.labels, s.labels))
  );
}

/** Whether RBAC is on for the service, and whether only in permissive (shadow) mode. */
export function rbacMode(
  config: RbacV1alpha1Config,
  s: RbacServiceInstance,
): 'OFF' | 'ENFORCED' | 'PERMISSIVE' {
  const c = config.clusterRbacConfig ?? config.rbacConfig;
  const on =
    c?.mode === 'ON' ||
    (c?.mode === 'ON_WITH_INCLUSION' && inTarget(c.inclusion, s)) ||
    (c?.mode === 'ON_WITH_EXCLUSION' && !inTarget(c.exclusion, s));
  if (!on) return 'OFF';
  return c.enforcementMode === 'PERMISSIVE' ? 'PERMISSIVE' : 'ENFORCED';
}

const bracketKey = /^destination\.labels\[(.+)\]$/;

/** Whether a rule is about this service: its services and the destination constraints only the control plane can check. */
function ruleApplies(rule: AccessRule, s: RbacServiceInstance): boolean {
  if (!matches(s.hostname, rule.services)) return false;
  return (rule.constraints ?? []).every((c) => {
    const key = c.key ?? '';
    const label = bracketKey.exec(key)?.[1];
    const actual =
      label !== undefined
        ? s.labels[label]
        : (
            {
              'destination.name': s.name,
              'destination.namespace': s.namespace,
              'destination.user': s.serviceAccount,
            } as Record<string, string | undefined>
          )[key];
    const checkedHere =
      label !== undefined || ['destination.name', 'destination.namespace', 'destination.user'].includes(key);
    return !checkedHere || (actual !== undefined && matches(actual, c.values));
  });
}

const str = (ns: readonly number[] | null | undefined) => ns?.map(String);

function permissionEntries(rule: AccessRule): Entry[] {
  const constraint = (c: NonNullable<AccessRule['constraints']>[number]): Entry[] => {
    const key = c.key ?? '';
    const attr =
      key === 'destination.ip'
        ? Attributes.destinationIp
        : key === 'destination.port'
          ? Attributes.destinationPort
          : key === 'connection.sni'
            ? Attributes.connectionSni
            : key.startsWith('request.headers[')
              ? Attributes.requestHeaderPermission
              : key.startsWith('experimental.envoy.filters.')
                ? Attributes.envoyFilter
                : undefined;
    return attr ? entry(attr, key, c.values) : [];
  };
  return [
    ...operationEntries({
      methods: rule.methods,
      notMethods: rule.notMethods,
      paths: rule.paths,
      notPaths: rule.notPaths,
      hosts: rule.hosts,
      notHosts: rule.notHosts,
      ports: str(rule.ports),
      notPorts: str(rule.notPorts),
    }),
    ...(rule.constraints ?? []).flatMap(constraint),
  ];
}

const CLAIM_GROUPS = 'request.auth.claims[groups]';

function principalEntries(subject: Subject, requestPrincipal: RequestPrincipalSource): Entry[] {
  const p = subject.properties ?? {};
  const one = (key: string) => (p[key] !== undefined ? [p[key]] : []);
  const user = subject.user && subject.user !== '*' ? [subject.user] : [];
  const groups = [...(subject.group ? [subject.group] : []), ...(subject.groups ?? []), ...one(CLAIM_GROUPS)];
  const requestKeys = Object.keys(p)
    .filter((k) => k.startsWith('request.') && k !== CLAIM_GROUPS)
    .sort();
  const requestAttr = (k: string) =>
    k.startsWith('request.headers[')
      ? Attributes.requestHeader
      : k.startsWith('request.auth.claims[')
        ? Attributes.requestClaim
        : (
            {
              'request.auth.principal':
                requestPrincipal === 'peer' ? Attributes.sourcePrincipal : Attributes.requestPrincipal,
              'request.auth.audiences': Attributes.requestAudiences,
              'request.auth.presenter': Attributes.requestPresenter,
            } as Record<string, Attribute | undefined>
          )[k];
  return [
    ...sourceEntries({
      // A user overrides the source.principal property, as in Istio 1.1.
      principals: [...user, ...(subject.names ?? []), ...(user.length ? [] : one('source.principal'))],
      notPrincipals: subject.notNames,
      namespaces: [...(subject.namespaces ?? []), ...one('source.namespace')],
      notNamespaces: subject.notNamespaces,
      ipBlocks: [...(subject.ips ?? []), ...one('source.ip')],
      notIpBlocks: subject.notIps,
    }),
    ...entry(Attributes.requestClaim, CLAIM_GROUPS, groups, subject.notGroups),
    ...requestKeys.flatMap((k) => {
      const attr = requestAttr(k);
      return attr ? entry(attr, k, [p[k]!]) : [];
    }),
  ];
}

interface Built {
  rules: Record<string, Json>;
  shadow: Record<string, Json>;
}

function translate(
  config: RbacV1alpha1Config,
  s: RbacServiceInstance,
  forTCP: boolean,
  o: RbacV1alpha1Options,
): Built {
  const gen: GenerateOptions = { forTCP, action: 'ALLOW', namespace: s.namespace, legacyHostRegex: false };
  const bundle = [o.trustDomain ?? 'cluster.local', ...(o.trustDomainAliases ?? [])];
  const built: Built = { rules: {}, shadow: {} };
  for (const role of config.roles.filter((r) => r.namespace === s.namespace)) {
    // A rule that cannot be enforced here (HTTP-only fields on TCP) is left out.
    const permissions = (role.spec.rules ?? [])
      .filter((r) => ruleApplies(r, s))
      .flatMap((r) => {
        try {
          return [conjunction(permissionEntries(r), gen, 'permission')];
        } catch {
          return [];
        }
      });
    if (permissions.length === 0) continue;
    const principals = { ENFORCED: [] as Json[], PERMISSIVE: [] as Json[] };
    try {
      for (const b of config.bindings)
        if (b.namespace === s.namespace && b.spec.roleRef?.name === role.name)
          for (const subject of b.spec.subjects ?? [])
            principals[b.spec.mode ?? 'ENFORCED'].push(
              conjunction(
                principalEntries(subject, o.requestPrincipal ?? 'jwt').map((e) =>
                  migrateTrustDomain(e, bundle),
                ),
                gen,
                'principal',
              ),
            );
    } catch {
      // Istio 1.1 drops the whole role when a binding cannot be enforced on this filter chain.
      continue;
    }
    if (principals.ENFORCED.length) built.rules[role.name] = { permissions, principals: principals.ENFORCED };
    if (principals.PERMISSIVE.length)
      built.shadow[role.name] = { permissions, principals: principals.PERMISSIVE };
  }
  return built;
}

function rbacConfig(mode: 'ENFORCED' | 'PERMISSIVE', b: Built): Json {
  const allow = (policies: Record<string, Json>) => ({ action: 'ALLOW', policies });
  if (mode === 'PERMISSIVE') return { shadow_rules: allow({ ...b.shadow, ...b.rules }) };
  return { rules: allow(b.rules), ...(Object.keys(b.shadow).length && { shadow_rules: allow(b.shadow) }) };
}

/** The RBAC filter config for a service instance, or undefined when RBAC is off for it. */
function rbacFilterConfig(
  config: RbacV1alpha1Config,
  s: RbacServiceInstance,
  tcp: boolean,
  o: RbacV1alpha1Options,
): Json | undefined {
  const mode = rbacMode(config, s);
  return mode === 'OFF' ? undefined : rbacConfig(mode, translate(config, s, tcp, o));
}

/** The HTTP RBAC filter for a service instance, or undefined when RBAC is off for it. */
export function buildV1alpha1HttpRbacFilter(
  config: RbacV1alpha1Config,
  s: RbacServiceInstance,
  o: RbacV1alpha1Options = {},
): EnvoyFilter | undefined {
  const c = rbacFilterConfig(config, s, false, o);
  return c && filter(FilterName.httpRbac, MessageName.httpRbac, c);
}

/** The network RBAC filter for a TCP service instance, or undefined when RBAC is off for it. */
export function buildV1alpha1TcpRbacFilter(
  config: RbacV1alpha1Config,
  s: RbacServiceInstance,
  o: RbacV1alpha1Options = {},
): EnvoyFilter | undefined {
  const c = rbacFilterConfig(config, s, true, o);
  return c && filter(FilterName.networkRbac, MessageName.networkRbac, { ...c, stat_prefix: 'tcp.' });
}
