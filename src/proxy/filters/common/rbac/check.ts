// What the HTTP and network RBAC filters share: the enforced and shadow engines of one config,
// their stats (Envoy's <prefix>rbac.<rules_stat_prefix>allowed …) and the check itself, which
// counts, reports the shadow result as dynamic metadata and says whether to let the request on.
import { ConfigError, type Msg } from '../../../config/proto.js';
import type { Counter, Scope } from '../../../stats/store.js';
import { compileRbac, type RbacEngine } from './engine.js';
import type { RbacRequest } from './request.js';

export interface RbacRules {
  readonly engine: RbacEngine | undefined;
  readonly shadow: RbacEngine | undefined;
  readonly rulesStatPrefix: string;
  readonly shadowStatPrefix: string;
}

/** The rules/shadow_rules pair of an HTTP or network RBAC config (or an RBACPerRoute's rbac). */
export function parseRbacRules(c: Msg, path: string): RbacRules {
  if (c.matcher || c.shadow_matcher)
    throw new ConfigError(`${path}.matcher`, 'matcher-based RBAC is not supported; use rules');
  return Object.freeze({
    engine: compileRbac(c.rules, `${path}.rules`),
    shadow: compileRbac(c.shadow_rules, `${path}.shadow_rules`),
    rulesStatPrefix: (c.rules_stat_prefix as string | undefined) ?? '',
    shadowStatPrefix: (c.shadow_rules_stat_prefix as string | undefined) ?? '',
  });
}

const NAMES = ['allowed', 'denied', 'shadow_allowed', 'shadow_denied', 'logged', 'not_logged'] as const;
export type RbacStats = { [K in (typeof NAMES)[number]]: Counter };

/** Counters named as Envoy names them: the rules prefix before allowed/denied/logged, the shadow prefix before shadow_*. */
export function rbacStats(scope: Scope, rules: RbacRules): RbacStats {
  const name = (n: string): string =>
    (n.startsWith('shadow_') ? rules.shadowStatPrefix : rules.rulesStatPrefix) + n;
  return Object.fromEntries(NAMES.map((n) => [n, scope.counter(name(n))])) as RbacStats;
}

export interface RbacOutcome {
  readonly allowed: boolean;
  /** the matched enforced policy, 'none' when none did (Envoy's response code details) */
  readonly policy: string;
  /** dynamic metadata for the filter's namespace, undefined without shadow rules */
  readonly metadata: Record<string, string> | undefined;
  /** LOG action: whether a policy asked for this request to be logged */
  readonly log: boolean | undefined;
}

export function checkRbac(rules: RbacRules, stats: RbacStats, r: RbacRequest): RbacOutcome {
  let metadata: Record<string, string> | undefined;
  if (rules.shadow) {
    const d = rules.shadow.evaluate(r);
    (d.allowed ? stats.shadow_allowed : stats.shadow_denied).value++;
    const p = rules.shadowStatPrefix;
    metadata = { [`${p}shadow_engine_result`]: d.allowed ? 'allowed' : 'denied' };
    if (d.policy) metadata[`${p}shadow_effective_policy_id`] = d.policy;
  }
  const e = rules.engine;
  if (!e) return { allowed: true, policy: 'none', metadata, log: undefined };
  const d = e.evaluate(r);
  let log: boolean | undefined;
  if (e.action === 'LOG') {
    log = d.policy !== '';
    (log ? stats.logged : stats.not_logged).value++;
  }
  (d.allowed ? stats.allowed : stats.denied).value++;
  return { allowed: d.allowed, policy: d.policy || 'none', metadata, log };
}
