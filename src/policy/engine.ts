// The Check side of Mixer (istio-policy) inside the control plane: rebuilds the policy snapshot
// when config.istio.io resources change and dispatches a request's attribute bag to the CHECK and
// QUOTA rules in scope — those of the default config namespace for every destination, plus those of
// the destination's namespace (Mixer's routing table, keyed by destination.namespace inbound).
import type { ConfigStoreReader } from '../config/store-types.js';
import { GROUP } from '../api/mixer/kinds.js';
import type { AttributeBag } from '../api/mixer/index.js';
import { Code, type RpcStatus } from './rpc-status.js';
import { buildPolicySnapshot, type PolicyRule, type PolicySnapshot } from './snapshot.js';
import type { AdapterEnv } from './adapters/types.js';

export type CheckDecision =
  | { kind: 'status'; status: RpcStatus }
  /** Mixer could not decide (an instance or adapter failed): the API answers INTERNAL. */
  | { kind: 'error'; message: string };

export interface PolicyEngineOptions {
  /** Mixer's configDefaultNamespace (the mesh root namespace, istio-system). */
  defaultNamespace: string;
  log: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

function bagGet(bag: AttributeBag, name: string): unknown {
  return bag instanceof Map ? bag.get(name) : (bag as Record<string, unknown>)[name];
}

export class PolicyEngine {
  private snapshot: PolicySnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly unwatch: () => void;
  private readonly env: AdapterEnv;

  constructor(
    private readonly store: ConfigStoreReader,
    private readonly opts: PolicyEngineOptions,
  ) {
    this.env = { log: opts.log };
    this.snapshot = this.build();
    this.unwatch = store.watch((events) => {
      if (!events.some((e) => e.config.resource.apiVersion?.startsWith(`${GROUP}/`))) return;
      const before = this.scopeKey();
      const old = this.snapshot;
      this.snapshot = this.build(old);
      const kept = new Set(this.snapshot.handlers.values());
      for (const h of old.handlers.values()) if (!kept.has(h)) h.close();
      if (this.scopeKey() !== before) for (const l of this.listeners) l();
    });
  }

  private build(previous?: PolicySnapshot): PolicySnapshot {
    const resources = this.store
      .list()
      .map((c) => c.resource)
      .filter((r) => r.apiVersion?.startsWith(`${GROUP}/`));
    const s = buildPolicySnapshot(resources, this.env, previous);
    for (const e of s.errors) this.opts.log('warn', `policy config: ${e}`);
    return s;
  }

  /** Namespaces whose destinations have CHECK or QUOTA rules ('*' when the default namespace has some). */
  scope(): ReadonlySet<string> {
    const out = new Set<string>();
    for (const r of this.snapshot.rules)
      out.add(r.namespace === this.opts.defaultNamespace ? '*' : r.namespace);
    return out;
  }

  private scopeKey(): string {
    return [...this.scope()].sort().join(',');
  }

  /** Called when the set of namespaces with policy changes (listeners need new filters). */
  onScopeChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private matches(rule: PolicyRule, bag: AttributeBag): boolean {
    try {
      return !rule.match || rule.match(bag);
    } catch (e) {
      // Mixer: a condition that cannot be evaluated does not match.
      this.opts.log('warn', `rule='${rule.name}': match evaluation error: ${(e as Error).message}`);
      return false;
    }
  }

  /**
   * Mixer's Check: CHECK instances of the matching rules (the first failure's code, messages
   * `<handler>:<message>` joined by ", "); when they allow, the quotas the request charges
   * (QuotaSpecBinding of the destination service), each dispatched to the quota instances of that
   * short name — one not granted in full makes RESOURCE_EXHAUSTED, as Istio's proxy reports it.
   */
  check(bag: AttributeBag): CheckDecision {
    const kind = bagGet(bag, 'context.reporter.kind') ?? 'inbound';
    const ns = String(bagGet(bag, kind === 'outbound' ? 'source.namespace' : 'destination.namespace') ?? '');
    const rules = this.snapshot.rules.filter(
      (r) => r.namespace === this.opts.defaultNamespace || r.namespace === ns,
    );
    const matched = rules.filter((r) => this.matches(r, bag));
    const failures: string[] = [];
    const errors: string[] = [];
    let code: number = Code.OK;
    for (const rule of matched)
      for (const action of rule.actions)
        for (const instance of action.instances) {
          if (instance.variety !== 'CHECK' || !action.handler.check) continue;
          try {
            const r = action.handler.check(instance.template, instance.build(bag));
            if (r.code === Code.OK) continue;
            if (failures.length === 0) code = r.code;
            failures.push(`${action.handlerName}:${r.message}`);
          } catch (e) {
            errors.push(`${instance.name} → ${action.handlerName}: ${(e as Error).message}`);
          }
        }
    if (errors.length > 0) return { kind: 'error', message: errors.join('; ') };
    if (code !== Code.OK) return { kind: 'status', status: { code, message: failures.join(', ') } };

    const host = bagGet(bag, 'destination.service.host');
    const rejected: string[] = [];
    for (const { quota, charge } of typeof host === 'string' ? this.snapshot.quotas(host, bag) : []) {
      if (charge <= 0) continue;
      let granted = charge;
      for (const rule of matched)
        for (const action of rule.actions)
          for (const instance of action.instances) {
            const short = instance.name.slice(0, instance.name.indexOf('.'));
            if (instance.variety !== 'QUOTA' || short.toLowerCase() !== quota.toLowerCase()) continue;
            try {
              const r = action.handler.quota!({ name: instance.name, values: instance.build(bag) }, charge);
              granted = Math.min(granted, r);
            } catch (e) {
              // Mixer: a failed allocation grants nothing.
              this.opts.log(
                'warn',
                `quota ${quota}: ${instance.name} → ${action.handlerName}: ${(e as Error).message}`,
              );
              granted = 0;
            }
          }
      if (granted < charge) rejected.push(quota);
    }
    if (rejected.length > 0)
      return {
        kind: 'status',
        status: { code: Code.RESOURCE_EXHAUSTED, message: `Quota is exhausted for: ${rejected.join(',')}` },
      };
    return { kind: 'status', status: { code: Code.OK, message: '' } };
  }

  close(): void {
    this.unwatch();
    for (const h of this.snapshot.handlers.values()) h.close();
    this.listeners.clear();
  }
}
