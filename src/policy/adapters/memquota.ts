// Mixer's memquota adapter: per quota (keyed by the instance's fully qualified name) a maxAmount,
// overridden for instances whose dimensions match an override. validDuration 0 is an allocation
// quota (amounts stay in use); otherwise a rolling window of that many whole seconds, counted in
// 100 ms ticks like Mixer's. A request that does not fit is granted nothing (not best effort).
import { pbGet } from '../../api/mixer/fields.js';
import { durationMs } from './params.js';
import type { HandlerBuilder, Params, PolicyHandler, QuotaInstance } from './types.js';

const TICK_MS = 100;

interface Limit {
  maxAmount: number;
  validDurationMs: number;
}

interface QuotaConfig extends Limit {
  overrides: (Limit & { dimensions: Readonly<Record<string, string>> })[];
}

type Rec = Record<string, unknown>;

function limitOf(p: Rec): Limit {
  return {
    maxAmount: Number(pbGet(p, 'max_amount') ?? 0),
    validDurationMs: durationMs(pbGet(p, 'valid_duration'), 0),
  };
}

/** Rolling window: what was granted in each tick still inside the window. */
class Window {
  private readonly ticks: [number, number][] = [];
  constructor(
    readonly maxAmount: number,
    private readonly spanTicks: number,
  ) {}
  alloc(amount: number, tick: number): boolean {
    while (this.ticks.length && this.ticks[0]![0] <= tick - this.spanTicks) this.ticks.shift();
    const used = this.ticks.reduce((n, [, a]) => n + a, 0);
    if (amount > this.maxAmount - used) return false;
    this.ticks.push([tick, amount]);
    return true;
  }
}

class MemQuota implements PolicyHandler {
  private readonly cells = new Map<string, number>();
  private readonly windows = new Map<string, Window>();

  constructor(private readonly quotas: ReadonlyMap<string, QuotaConfig>) {}

  private limit(q: QuotaConfig, dims: Readonly<Record<string, unknown>>): Limit {
    return (
      q.overrides.find((o) => Object.entries(o.dimensions).every(([k, v]) => String(dims[k]) === v)) ?? q
    );
  }

  quota(instance: QuotaInstance, amount: number): number {
    const q = this.quotas.get(instance.name);
    if (!q) throw new Error(`quota '${instance.name}' is not configured in the memquota handler`);
    const dims = (instance.values.dimensions ?? {}) as Readonly<Record<string, unknown>>;
    const l = this.limit(q, dims);
    const key = `${instance.name};${Object.keys(dims)
      .sort()
      .map((k) => `${k}=${String(dims[k])}`)
      .join(';')}`;
    if (l.validDurationMs === 0) {
      const inUse = this.cells.get(key) ?? 0;
      if (amount > l.maxAmount - inUse) return 0;
      this.cells.set(key, inUse + amount);
      return amount;
    }
    let w = this.windows.get(key);
    if (!w) {
      const seconds = Math.ceil(l.validDurationMs / 1000);
      this.windows.set(key, (w = new Window(l.maxAmount, (seconds * 1000) / TICK_MS)));
    }
    const ok = w.alloc(amount, Math.floor(Date.now() / TICK_MS));
    return ok ? amount : 0;
  }

  close(): void {}
}

export const buildMemQuota: HandlerBuilder = (params: Params) => {
  const quotas = new Map<string, QuotaConfig>();
  for (const q of (pbGet(params, 'quotas') ?? []) as Rec[])
    quotas.set(String(q.name), {
      ...limitOf(q),
      overrides: ((q.overrides ?? []) as Rec[]).map((o) => ({
        ...limitOf(o),
        dimensions: (o.dimensions ?? {}) as Record<string, string>,
      })),
    });
  return new MemQuota(quotas);
};
