// Envoy-named stats: counters, gauges and histograms created once per scope (cluster, listener,
// HCM) and bumped on the hot path by plain field access. Each stat keeps the tags Envoy's tag
// extractors would derive from its name, so /stats/prometheus can render envoy_* series.

export type Tags = readonly (readonly [string, string])[];

export class Counter {
  value = 0;
  constructor(
    readonly name: string,
    readonly base: string,
    readonly tags: Tags,
  ) {}
  inc(n = 1): void {
    this.value += n;
  }
}

export class Gauge {
  value = 0;
  constructor(
    readonly name: string,
    readonly base: string,
    readonly tags: Tags,
  ) {}
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
  set(v: number): void {
    this.value = v;
  }
}

/** Envoy's default histogram bucket bounds (ms). */
export const HISTOGRAM_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
] as const;

export class Histogram {
  readonly counts = new Array<number>(HISTOGRAM_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;
  constructor(
    readonly name: string,
    readonly base: string,
    readonly tags: Tags,
  ) {}
  record(v: number): void {
    let i = 0;
    while (i < HISTOGRAM_BUCKETS.length && v > HISTOGRAM_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

/** Stats (by tag base) that every worker computes identically from the config it was sent. */
const REPLICATED = new Set([
  'cluster.membership_total',
  'cluster.membership_healthy',
  'cluster.membership_degraded',
  'cluster.membership_change',
  'cluster.update_attempt',
  'cluster.update_success',
  'cluster.update_empty',
  'istiocustom.istio_build',
]);

/** Plain-data view of a store, sent from workers to main and merged there. */
export interface StatsSnapshot {
  counters: Record<string, [number, string, Tags]>;
  gauges: Record<string, [number, string, Tags]>;
  histograms: Record<string, [number[], number, number, string, Tags]>;
}

export class StatsStore {
  readonly counters = new Map<string, Counter>();
  readonly gauges = new Map<string, Gauge>();
  readonly histograms = new Map<string, Histogram>();

  scope(prefix: string, tags: Tags = [], tagBase = prefix): Scope {
    return new Scope(this, prefix, tags, tagBase);
  }

  counter(name: string, base = name, tags: Tags = []): Counter {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = new Counter(name, base, tags)));
    return c;
  }

  gauge(name: string, base = name, tags: Tags = []): Gauge {
    let g = this.gauges.get(name);
    if (!g) this.gauges.set(name, (g = new Gauge(name, base, tags)));
    return g;
  }

  histogram(name: string, base = name, tags: Tags = []): Histogram {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = new Histogram(name, base, tags)));
    return h;
  }

  snapshot(): StatsSnapshot {
    const s: StatsSnapshot = { counters: {}, gauges: {}, histograms: {} };
    for (const c of this.counters.values()) s.counters[c.name] = [c.value, c.base, c.tags];
    for (const g of this.gauges.values()) s.gauges[g.name] = [g.value, g.base, g.tags];
    for (const h of this.histograms.values())
      s.histograms[h.name] = [h.counts.slice(), h.sum, h.count, h.base, h.tags];
    return s;
  }

  /**
   * Adds a worker's snapshot into this store. Traffic stats sum across workers; stats every worker
   * derives from the same config (membership, config updates, the build) count once, as Envoy's
   * single main-thread copy does.
   */
  merge(s: StatsSnapshot): void {
    for (const [n, [v, b, t]] of Object.entries(s.counters)) {
      const c = this.counter(n, b, t);
      c.value = REPLICATED.has(b) ? Math.max(c.value, v) : c.value + v;
    }
    for (const [n, [v, b, t]] of Object.entries(s.gauges)) {
      const g = this.gauge(n, b, t);
      g.value = REPLICATED.has(b) ? Math.max(g.value, v) : g.value + v;
    }
    for (const [n, [counts, sum, count, b, t]] of Object.entries(s.histograms)) {
      const h = this.histogram(n, b, t);
      counts.forEach((c, i) => (h.counts[i]! += c));
      h.sum += sum;
      h.count += count;
    }
  }
}

/** A name prefix plus the tags it implies, e.g. `cluster.<name>.` with envoy_cluster_name. */
export class Scope {
  constructor(
    readonly store: StatsStore,
    readonly prefix: string,
    readonly tags: Tags,
    readonly tagBase: string,
  ) {}
  counter(n: string): Counter {
    return this.store.counter(`${this.prefix}.${n}`, `${this.tagBase}.${n}`, this.tags);
  }
  gauge(n: string): Gauge {
    return this.store.gauge(`${this.prefix}.${n}`, `${this.tagBase}.${n}`, this.tags);
  }
  histogram(n: string): Histogram {
    return this.store.histogram(`${this.prefix}.${n}`, `${this.tagBase}.${n}`, this.tags);
  }
  /** A nested scope `<prefix>.<name>` with the same tags (tag base `<tagBase>.<tagName>`). */
  child(name: string, tagName = name): Scope {
    return new Scope(this.store, `${this.prefix}.${name}`, this.tags, `${this.tagBase}.${tagName}`);
  }
}

/** Builds a typed stats struct from one `as const` list of names (Envoy's ALL_X_STATS). */
export function makeCounters<const N extends readonly string[]>(
  scope: Scope,
  names: N,
): { [K in N[number]]: Counter } {
  const o = {} as Record<string, Counter>;
  for (const n of names) o[n] = scope.counter(n);
  return o as { [K in N[number]]: Counter };
}

export function makeGauges<const N extends readonly string[]>(
  scope: Scope,
  names: N,
): { [K in N[number]]: Gauge } {
  const o = {} as Record<string, Gauge>;
  for (const n of names) o[n] = scope.gauge(n);
  return o as { [K in N[number]]: Gauge };
}

/**
 * Counts a response code as Envoy does: `<p>_<c>xx`, plus `<p>_<code>` when `exact` (cluster
 * stats have both, the connection manager's downstream_rq_* only the class).
 */
export function countResponseCode(
  scope: Scope,
  prefix: string,
  code: number,
  cache: Map<number, Counter[]>,
  exact = true,
): void {
  let cs = cache.get(code);
  if (!cs) {
    cs = [scope.counter(`${prefix}_${Math.floor(code / 100)}xx`)];
    if (exact) cs.push(scope.counter(`${prefix}_${code}`));
    cache.set(code, cs);
  }
  for (const c of cs) c.value++;
}
