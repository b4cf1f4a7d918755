// envoy.config.rbac.v3.RBAC → an engine compiled once: policies in name order (Envoy keeps them
// in an ordered map, so the effective policy is the first matching name). ALLOW admits a request
// some policy matches, DENY refuses one, LOG always admits and only reports whether a policy
// matched (Envoy's access_log_hint).
import { ConfigError, type Msg } from '../../../config/proto.js';
import { compilePermission, compilePrincipal, type RbacPredicate } from './matchers.js';
import type { RbacRequest } from './request.js';

export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';

interface CompiledPolicy {
  readonly name: string;
  readonly permissions: readonly RbacPredicate[];
  readonly principals: readonly RbacPredicate[];
}

export interface RbacDecision {
  readonly allowed: boolean;
  /** the first matching policy's name, '' when none matched */
  readonly policy: string;
}

export class RbacEngine {
  constructor(
    readonly action: RbacAction,
    private readonly policies: readonly CompiledPolicy[],
  ) {}

  /** The first policy (by name) whose permissions and principals both match. */
  matched(r: RbacRequest): string {
    for (const p of this.policies)
      if (p.permissions.some((m) => m(r)) && p.principals.some((m) => m(r))) return p.name;
    return '';
  }

  evaluate(r: RbacRequest): RbacDecision {
    const policy = this.matched(r);
    const allowed = this.action === 'ALLOW' ? policy !== '' : this.action === 'DENY' ? policy === '' : true;
    return { allowed, policy };
  }
}

function compilePolicy(name: string, p: Msg, path: string): CompiledPolicy {
  if (p.condition || p.checked_condition)
    throw new ConfigError(`${path}.condition`, 'CEL conditions are not supported');
  const perms = (p.permissions ?? []) as Msg[];
  const ids = (p.principals ?? []) as Msg[];
  if (!perms.length) throw new ConfigError(`${path}.permissions`, 'at least one permission is required');
  if (!ids.length) throw new ConfigError(`${path}.principals`, 'at least one principal is required');
  return Object.freeze({
    name,
    permissions: perms.map((m, i) => compilePermission(m, `${path}.permissions[${i}]`)),
    principals: ids.map((m, i) => compilePrincipal(m, `${path}.principals[${i}]`)),
  });
}

/** An RBAC rules message → its engine; undefined when the message is absent (no enforcement). */
export function compileRbac(rules: Msg | undefined, path: string): RbacEngine | undefined {
  if (!rules) return undefined;
  const action = (rules.action ?? 'ALLOW') as RbacAction;
  if (!['ALLOW', 'DENY', 'LOG'].includes(action))
    throw new ConfigError(`${path}.action`, `unknown action ${String(rules.action)}`);
  const policies = (rules.policies ?? {}) as Record<string, Msg>;
  const names = Object.keys(policies).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return new RbacEngine(
    action,
    names.map((n) => compilePolicy(n, policies[n]!, `${path}.policies[${n}]`)),
  );
}
