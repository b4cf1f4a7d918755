// Owns the live listeners (Envoy ListenerManager): static ones from the bootstrap and LDS
// state-of-the-world updates (add, in-place update with drain, remove with drain), and the
// lookup that use_original_dst listeners (virtualOutbound/virtualInbound) hand connections to.
import type { ProxyContext } from '../context.js';
import { ActiveListener } from './listener.js';
import type { ListenerConfig } from './listener-config.js';

export class ListenerManager {
  private readonly listeners = new Map<string, ActiveListener>();
  private readonly staticNames = new Set<string>();

  constructor(
    private readonly ctx: ProxyContext,
    /** --drain-time: how long old connections get to finish after an update */
    private readonly drainMs = 5000,
  ) {}

  all(): ActiveListener[] {
    return [...this.listeners.values()];
  }

  get(name: string): ActiveListener | undefined {
    return this.listeners.get(name);
  }

  /** The listener owning address:port: exact address first, then the 0.0.0.0/[::] wildcard. */
  find(address: string, port: number): ActiveListener | undefined {
    let wildcard: ActiveListener | undefined;
    for (const l of this.listeners.values()) {
      const c = l.config;
      if (c.port !== port) continue;
      if (c.address === address) return l;
      if (c.address === '0.0.0.0' || c.address === '::') wildcard = l;
    }
    return wildcard;
  }

  async addStatic(configs: readonly ListenerConfig[]): Promise<void> {
    for (const c of configs) this.staticNames.add(c.name);
    await this.upsert(configs);
  }

  /** State-of-the-world LDS. */
  async applyDynamic(configs: readonly ListenerConfig[]): Promise<void> {
    const names = new Set(configs.map((c) => c.name));
    for (const [name, l] of this.listeners)
      if (!names.has(name) && !this.staticNames.has(name)) {
        this.listeners.delete(name);
        void l.stop(this.drainMs);
      }
    await this.upsert(configs);
  }

  private async upsert(configs: readonly ListenerConfig[]): Promise<void> {
    const fresh: ActiveListener[] = [];
    for (const c of configs) {
      const cur = this.listeners.get(c.name);
      if (cur) {
        if (JSON.stringify(cur.config.raw) === JSON.stringify(c.raw)) continue;
        if (
          cur.config.address === c.address &&
          cur.config.port === c.port &&
          cur.config.bindToPort === c.bindToPort
        ) {
          cur.update(c, this.drainMs);
          continue;
        }
        this.listeners.delete(c.name);
        void cur.stop(this.drainMs);
      }
      const l = new ActiveListener(c, this.ctx, (a, p) => this.find(a, p));
      fresh.push(l);
    }
    await Promise.all(fresh.map((l) => l.listen()));
    for (const l of fresh) this.listeners.set(l.config.name, l);
  }

  /** RDS names every listener's HCMs need. */
  routeConfigNames(): string[] {
    return [...new Set(this.all().flatMap((l) => l.routeConfigNames()))].sort();
  }

  /** POST /drain_listeners: drain (not close) every listener. */
  async drainAll(): Promise<void> {
    await Promise.all(this.all().map((l) => l.drain(this.drainMs)));
  }

  async stop(): Promise<void> {
    const all = this.all();
    this.listeners.clear();
    await Promise.all(all.map((l) => l.stop(0)));
  }
}
