// AuthorizationPolicy → Envoy RBAC (and ext_authz for CUSTOM) filters for one workload, HTTP and
// TCP (Istio pilot/pkg/security/authz/builder): AUDIT, DENY and ALLOW policies become one RBAC
// filter each, dry-run policies shadow rules; CUSTOM policies become, per provider, an RBAC filter
// that only records a shadow decision and an ext_authz filter gated on it.
import type { AuthorizationPolicy, Rule } from '../../api/security/index.js';
import type { MeshConfig } from '../../api/meshconfig.js';
import type { ServiceRef } from '../cluster-lookup.js';
import { filter, FilterName, MessageName, type EnvoyFilter, type Json } from '../envoy.js';
import { EXT_AUTHZ_MATCH_PREFIX, EXT_AUTHZ_SHADOW_STAT_PREFIX, resolveExtAuthz } from './ext-authz.js';
import { generatePolicy, ruleModel, type RbacAction } from './model.js';

/** An AuthorizationPolicy as stored: identity, annotations (istio.io/dry-run) and spec. */
export interface AuthzPolicyConfig {
  name: string;
  namespace: string;
  annotations?: Readonly<Record<string, string>>;
  spec: AuthorizationPolicy;
}

export interface AuthzOptions {
  /** Mesh trust domain (default cluster.local) and its aliases. */
  trustDomain?: string;
  trustDomainAliases?: readonly string[];
  /** MeshConfig extensionProviders, for CUSTOM policies. */
  extensionProviders?: MeshConfig['extensionProviders'];
  /** Registry services, to resolve ext_authz provider clusters. */
  services?: readonly ServiceRef[];
  /** The proxy's Istio version when known; before 1.11 hosts are matched by regex. */
  proxyIstioVersion?: { major: number; minor: number };
}

const DRY_RUN = 'istio.io/dry-run';
const SHADOW_ALLOW_PREFIX = 'istio_dry_run_allow_';
const SHADOW_DENY_PREFIX = 'istio_dry_run_deny_';
const TCP_STAT_PREFIX = 'tcp.';
const BAD_CUSTOM_SUFFIX = '-deny-due-to-bad-CUSTOM-action';

/** A policy without rules: an explicit policy that never matches. */
const MATCH_NEVER: Json = {
  permissions: [{ not_rule: { any: true } }],
  principals: [{ not_id: { any: true } }],
};

interface Rbac {
  action: RbacAction;
  policies: Record<string, Json>;
}

/** Go strconv.ParseBool; an unparsable value is not dry-run. */
const isDryRun = (p: AuthzPolicyConfig) =>
  ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(p.annotations?.[DRY_RUN] ?? '');

const policyName = (p: AuthzPolicyConfig, rule: number, provider?: string) =>
  `${provider === undefined ? '' : `${EXT_AUTHZ_MATCH_PREFIX}-${provider}-`}ns[${p.namespace}]-policy[${p.name}]-rule[${rule}]`;

interface BuildContext {
  forTCP: boolean;
  bundle: readonly string[];
  legacyHostRegex: boolean;
}

function context(o: AuthzOptions, forTCP: boolean): BuildContext {
  const v = o.proxyIstioVersion;
  return {
    forTCP,
    bundle: [o.trustDomain ?? 'cluster.local', ...(o.trustDomainAliases ?? [])],
    legacyHostRegex: v !== undefined && (v.major < 1 || (v.major === 1 && v.minor < 11)),
  };
}

function addPolicies(into: Rbac, p: AuthzPolicyConfig, c: BuildContext, provider?: string): void {
  const rules: (Rule | null)[] = p.spec.rules ?? [];
  if (rules.length === 0) into.policies[policyName(p, 0, provider)] = MATCH_NEVER;
  rules.forEach((rule, i) => {
    if (!rule) return;
    try {
      const m = ruleModel(rule, c.bundle);
      into.policies[policyName(p, i, provider)] = generatePolicy(m, {
        forTCP: c.forTCP,
        action: into.action,
        namespace: p.namespace,
        legacyHostRegex: c.legacyHostRegex,
      });
    } catch {
      // Istio skips a rule it cannot build (unknown key, or ALLOW with HTTP-only fields on TCP).
    }
  });
}

const shadowPrefix = (shadow: Rbac | undefined) =>
  shadow?.action === 'DENY' ? SHADOW_DENY_PREFIX : SHADOW_ALLOW_PREFIX;

const ACTIONS: readonly [NonNullable<AuthorizationPolicy['action']>, RbacAction][] = [
  ['AUDIT', 'LOG'],
  ['DENY', 'DENY'],
  ['ALLOW', 'ALLOW'],
];

/** One RBAC config per action present (AUDIT, DENY, ALLOW order), with dry-run ones as shadow. */
function localRbacs(policies: readonly AuthzPolicyConfig[], forTCP: boolean, o: AuthzOptions) {
  const c = context(o, forTCP);
  const out: { rules?: Rbac; shadow?: Rbac }[] = [];
  for (const [action, rbacAction] of ACTIONS) {
    const selected = policies.filter((p) => (p.spec.action ?? 'ALLOW') === action);
    if (selected.length === 0) continue;
    const built: { rules?: Rbac; shadow?: Rbac } = {};
    for (const p of selected) {
      const which = isDryRun(p) ? 'shadow' : 'rules';
      const into = (built[which] ??= { action: rbacAction, policies: {} });
      addPolicies(into, p, c);
    }
    out.push(built);
  }
  return out;
}

function rbacHttp(config: Json): EnvoyFilter {
  return filter(FilterName.httpRbac, MessageName.httpRbac, config);
}

function rbacTcp(config: Json): EnvoyFilter {
  return filter(FilterName.networkRbac, MessageName.networkRbac, { ...config, stat_prefix: TCP_STAT_PREFIX });
}

/** HTTP RBAC filters for the ALLOW, DENY and AUDIT policies that apply to a workload. */
export function buildHttpRbacFilters(
  policies: readonly AuthzPolicyConfig[],
  o: AuthzOptions = {},
): EnvoyFilter[] {
  return localRbacs(policies, false, o).map(({ rules, shadow }) =>
    rbacHttp({ rules, shadow_rules: shadow, shadow_rules_stat_prefix: shadowPrefix(shadow) }),
  );
}

/** Network (TCP) RBAC filters for the ALLOW, DENY and AUDIT policies that apply to a workload. */
export function buildTcpRbacFilters(
  policies: readonly AuthzPolicyConfig[],
  o: AuthzOptions = {},
): EnvoyFilter[] {
  return localRbacs(policies, true, o).map(({ rules, shadow }) =>
    rbacTcp({ rules, shadow_rules: shadow, shadow_rules_stat_prefix: shadowPrefix(shadow) }),
  );
}

interface ProviderRbacs {
  provider: string;
  rules: Rbac;
  dryRun: Rbac;
}

function customRbacs(
  policies: readonly AuthzPolicyConfig[],
  forTCP: boolean,
  o: AuthzOptions,
): ProviderRbacs[] {
  const c = context(o, forTCP);
  const byProvider = new Map<string, ProviderRbacs>();
  for (const p of policies.filter((x) => x.spec.action === 'CUSTOM')) {
    const provider = p.spec.provider?.name ?? '';
    let entry = byProvider.get(provider);
    if (!entry) {
      entry = { provider, rules: { action: 'DENY', policies: {} }, dryRun: { action: 'DENY', policies: {} } };
      byProvider.set(provider, entry);
    }
    addPolicies(isDryRun(p) ? entry.dryRun : entry.rules, p, c, provider);
  }
  return [...byProvider.values()].sort((a, b) =>
    a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0,
  );
}

/** Policies of a CUSTOM provider that cannot be used, turned into an enforced deny. */
function badCustomDeny(r: Rbac): Rbac {
  return {
    action: 'DENY',
    policies: Object.fromEntries(Object.entries(r.policies).map(([k, v]) => [k + BAD_CUSTOM_SUFFIX, v])),
  };
}

/**
 * CUSTOM policies: per provider (sorted), an RBAC filter whose shadow rules record which policy
 * matched and the provider's ext_authz gated on that record. Istio supports one provider per
 * workload (without PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS); with several, or with an
 * unusable provider, the policies' requests are denied instead.
 */
function buildCustom(
  policies: readonly AuthzPolicyConfig[],
  o: AuthzOptions,
  forTCP: boolean,
): EnvoyFilter[] {
  const groups = customRbacs(policies, forTCP, o);
  const rbac = forTCP ? rbacTcp : rbacHttp;
  if (groups.length > 1) return groups.map((g) => rbac({ rules: badCustomDeny(g.rules) }));
  const out: EnvoyFilter[] = [];
  for (const g of groups) {
    let ext;
    try {
      ext = resolveExtAuthz(o.extensionProviders ?? [], g.provider, o.services ?? []);
    } catch {
      out.push(rbac({ rules: badCustomDeny(g.rules) }));
      continue;
    }
    const config = forTCP ? ext.tcp : ext.http;
    // An HTTP provider has nothing to say about TCP traffic.
    if (!config) continue;
    out.push(
      rbac({
        shadow_rules: g.rules,
        shadow_rules_stat_prefix: EXT_AUTHZ_SHADOW_STAT_PREFIX,
        rules: Object.keys(g.dryRun.policies).length ? g.dryRun : undefined,
      }),
      forTCP
        ? filter(FilterName.networkExtAuthz, MessageName.networkExtAuthz, config)
        : filter(FilterName.httpExtAuthz, MessageName.httpExtAuthz, config),
    );
  }
  return out;
}

/** HTTP filters for the CUSTOM policies that apply to a workload (RBAC shadow + ext_authz). */
export function buildHttpExtAuthzFilters(
  policies: readonly AuthzPolicyConfig[],
  o: AuthzOptions = {},
): EnvoyFilter[] {
  return buildCustom(policies, o, false);
}

/** Network filters for the CUSTOM policies that apply to a workload (gRPC providers only). */
export function buildTcpExtAuthzFilters(
  policies: readonly AuthzPolicyConfig[],
  o: AuthzOptions = {},
): EnvoyFilter[] {
  return buildCustom(policies, o, true);
}
