// The config store (Galley's State): validated resources keyed by group/kind/namespace/name,
// a store-wide resourceVersion, per-object generation, owners (a file, the API) and debounced,
// coalesced watch events. Invalid input is rejected whole; the last good version keeps serving.
import { lookupKind } from '../api/registry.js';
import { splitApiVersion, type Loaded, type Resource, type SourceRef } from '../api/resource.js';
import { checkResource, validateLoaded } from '../api/validate.js';
import { formatPath } from '../api/schema/dsl.js';
import type { Diagnostic } from './diagnostics.js';
import type { ConfigEvent, ConfigKey, ConfigStoreReader, GroupKind, StoredConfig } from './store-types.js';

/** A resource to store, with where it was read from when known. */
export interface ConfigInput {
  resource: Resource;
  source?: SourceRef;
}

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export interface AppliedItem {
  key: ConfigKey;
  outcome: ApplyOutcome;
}

export type ApplyResult = { ok: true; items: AppliedItem[] } | { ok: false; diagnostics: Diagnostic[] };

export interface ApplyOptions {
  /** Who wrote it: a file path for the directory source, 'api' for `weft apply`. */
  owner: string;
  /** Namespace for namespaced resources that name none (kubectl's -n); default 'default'. */
  defaultNamespace?: string;
  /** Validate and report outcomes without changing anything. */
  dryRun?: boolean;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface ConfigStoreOptions {
  /** Quiet period before a batch of events is delivered (default 100 ms). */
  debounceMs?: number;
  /** Longest a change waits while changes keep arriving (default 1000 ms). */
  maxDelayMs?: number;
  timers?: Timers;
  /** Where a throwing watch handler is reported (default console.error). */
  onHandlerError?: (err: unknown) => void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export function keyString(k: ConfigKey): string {
  return `${k.group}/${k.kind}/${k.namespace}/${k.name}`;
}

/** The store key of a resource; namespaced kinds without a namespace get `defaultNamespace`. */
export function keyOf(res: Resource, defaultNamespace = 'default'): ConfigKey {
  const { group } = splitApiVersion(String(res.apiVersion ?? ''));
  const namespaced = lookupKind(group, res.kind)?.namespaced ?? true;
  const ns = namespaced ? res.metadata?.namespace || defaultNamespace : '';
  return { group, kind: res.kind, namespace: ns, name: String(res.metadata?.name ?? '') };
}

/** JSON with sorted keys, so equal objects compare equal whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

function bodyOf(r: Resource): string {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...body } = r;
  return canonical(body);
}

function metaOf(r: Resource): string {
  return canonical([r.apiVersion, r.metadata.labels ?? {}, r.metadata.annotations ?? {}]);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function diagnose(input: ConfigInput): Diagnostic[] {
  if (input.source) return validateLoaded(input as Loaded);
  const r = input.resource;
  const id = `${r.kind} ${r.metadata?.namespace ? `${r.metadata.namespace}/` : ''}${r.metadata?.name ?? '<unnamed>'}`;
  return checkResource(r).map((i) => ({
    severity: i.severity,
    resource: id,
    path: formatPath(i.path),
    message: i.message,
    ...(i.code ? { code: i.code } : {}),
  }));
}

interface Entry {
  config: StoredConfig;
  owner: string;
  body: string;
  meta: string;
}

interface Pending {
  type: ConfigEvent['type'];
  config: StoredConfig;
  previous?: StoredConfig;
}

export class ConfigStore implements ConfigStoreReader {
  private entries = new Map<string, Entry>();
  private counter = 0;
  private handlers = new Set<(events: readonly ConfigEvent[]) => void>();
  private pending = new Map<string, Pending>();
  private timer: unknown;
  private firstPendingAt = 0;
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  private readonly timers: Timers;
  private readonly onHandlerError: (err: unknown) => void;

  constructor(opts: ConfigStoreOptions = {}) {
    this.debounceMs = opts.debounceMs ?? 100;
    this.maxDelayMs = opts.maxDelayMs ?? 1000;
    this.timers = opts.timers ?? realTimers;
    this.onHandlerError = opts.onHandlerError ?? ((e) => console.error('config watch handler failed:', e));
  }

  get version(): number {
    return this.counter;
  }

  get(key: ConfigKey): StoredConfig | undefined {
    return this.entries.get(keyString(key))?.config;
  }

  /** Who wrote this object last ('api', a file path…), if it exists. */
  ownerOf(key: ConfigKey): string | undefined {
    return this.entries.get(keyString(key))?.owner;
  }

  list(gk?: GroupKind, namespace?: string): StoredConfig[] {
    const out: [string, StoredConfig][] = [];
    for (const [k, e] of this.entries) {
      const c = e.config.resource;
      if (gk && (splitApiVersion(c.apiVersion).group !== gk.group || c.kind !== gk.kind)) continue;
      if (namespace !== undefined && (c.metadata.namespace ?? '') !== namespace) continue;
      out.push([k, e.config]);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c);
  }

  watch(handler: (events: readonly ConfigEvent[]) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Validates every input; if all pass, stores them (all-or-nothing) and reports each outcome. */
  apply(inputs: readonly ConfigInput[], opts: ApplyOptions): ApplyResult {
    const checked = this.check(inputs, opts.defaultNamespace);
    if (!checked.ok) return checked;
    const items = checked.normalized.map(({ key, input }) => ({
      key,
      outcome: opts.dryRun ? this.outcomeOf(key, input.resource) : this.put(key, input, opts.owner),
    }));
    return { ok: true, items };
  }

  /**
   * Makes `owner`'s objects exactly `inputs`: stores them and deletes what the owner no longer
   * has. Nothing changes when any input is invalid (a file saved half-edited keeps its last good
   * version).
   */
  replaceOwner(owner: string, inputs: readonly ConfigInput[], defaultNamespace?: string): ApplyResult {
    const checked = this.check(inputs, defaultNamespace);
    if (!checked.ok) return checked;
    const keep = new Set(checked.normalized.map((n) => keyString(n.key)));
    for (const [k, e] of this.entries) if (e.owner === owner && !keep.has(k)) this.remove(k);
    const items = checked.normalized.map(({ key, input }) => ({ key, outcome: this.put(key, input, owner) }));
    return { ok: true, items };
  }

  /** Deletes objects; returns the keys that existed. */
  delete(keys: readonly ConfigKey[]): ConfigKey[] {
    return keys.filter((k) => this.remove(keyString(k)));
  }

  /** Delivers pending events now (tests, shutdown). */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const events: ConfigEvent[] = [...this.pending.values()].map((p) => ({
      type: p.type,
      config: p.config,
      ...(p.previous ? { previous: p.previous } : {}),
    }));
    this.pending.clear();
    for (const h of [...this.handlers]) {
      try {
        h(events);
      } catch (e) {
        this.onHandlerError(e);
      }
    }
  }

  /** Stops the debounce timer without delivering. */
  close(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(
    inputs: readonly ConfigInput[],
    defaultNamespace?: string,
  ):
    | { ok: true; normalized: { key: ConfigKey; input: ConfigInput }[] }
    | { ok: false; diagnostics: Diagnostic[] } {
    const diagnostics: Diagnostic[] = [];
    const seen = new Map<string, ConfigInput>();
    const normalized: { key: ConfigKey; input: ConfigInput }[] = [];
    for (const input of inputs) {
      const ds = diagnose(input);
      diagnostics.push(...ds);
      if (ds.some((d) => d.severity === 'error')) continue;
      const key = keyOf(input.resource, defaultNamespace);
      const ks = keyString(key);
      const dup = seen.get(ks);
      if (dup) {
        diagnostics.push({
          severity: 'error',
          ...(input.source ? { file: input.source.file, line: input.source.line } : {}),
          resource: `${key.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name}`,
          message: `defined twice in one apply${dup.source ? ` (first at ${dup.source.file}:${dup.source.line})` : ''}`,
        });
        continue;
      }
      seen.set(ks, input);
      normalized.push({ key, input });
    }
    return diagnostics.some((d) => d.severity === 'error')
      ? { ok: false, diagnostics }
      : { ok: true, normalized };
  }

  private outcomeOf(key: ConfigKey, res: Resource): ApplyOutcome {
    const prev = this.entries.get(keyString(key));
    if (!prev) return 'created';
    const withNs = this.normalize(key, res);
    return prev.body === bodyOf(withNs) && prev.meta === metaOf(withNs) ? 'unchanged' : 'configured';
  }

  private normalize(key: ConfigKey, res: Resource): Resource {
    const metadata = { ...res.metadata, name: key.name };
    if (key.namespace) metadata.namespace = key.namespace;
    else delete metadata.namespace;
    return { ...res, metadata };
  }

  private put(key: ConfigKey, input: ConfigInput, owner: string): ApplyOutcome {
    const ks = keyString(key);
    const prev = this.entries.get(ks);
    const res = this.normalize(key, structuredClone(input.resource));
    const body = bodyOf(res);
    const meta = metaOf(res);
    if (prev && prev.body === body && prev.meta === meta) {
      prev.owner = owner; // the same object now also comes from here; no event
      return 'unchanged';
    }
    this.counter++;
    const generation = prev ? prev.config.generation + (prev.body === body ? 0 : 1) : 1;
    res.metadata.resourceVersion = String(this.counter);
    res.metadata.generation = generation;
    res.metadata.creationTimestamp =
      prev?.config.resource.metadata.creationTimestamp ?? new Date(this.timers.now()).toISOString();
    const config: StoredConfig = deepFreeze({
      resource: res,
      ...(input.source ? { source: { file: input.source.file, line: input.source.line } } : {}),
      resourceVersion: String(this.counter),
      generation,
    });
    this.entries.set(ks, { config, owner, body, meta });
    this.enqueue(ks, prev ? { type: 'updated', config, previous: prev.config } : { type: 'added', config });
    return prev ? 'configured' : 'created';
  }

  private remove(ks: string): boolean {
    const prev = this.entries.get(ks);
    if (!prev) return false;
    this.entries.delete(ks);
    this.counter++;
    this.enqueue(ks, { type: 'deleted', config: prev.config });
    return true;
  }

  /** Coalesces events per object within a batch: readers see each object's net change once. */
  private enqueue(ks: string, ev: Pending): void {
    const old = this.pending.get(ks);
    if (!old) this.pending.set(ks, ev);
    else if (old.type === 'added' && ev.type === 'deleted') this.pending.delete(ks);
    else if (old.type === 'added') this.pending.set(ks, { type: 'added', config: ev.config });
    else if (old.type === 'deleted' && ev.type === 'added')
      this.pending.set(ks, { type: 'updated', config: ev.config, previous: old.config });
    else this.pending.set(ks, { ...ev, ...(old.previous ? { previous: old.previous } : {}) });
    this.arm();
  }

  private arm(): void {
    const now = this.timers.now();
    if (this.timer === undefined) this.firstPendingAt = now;
    else this.timers.clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstPendingAt + this.maxDelayMs - now));
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }
}
