// The xDS server's core (Pilot's DiscoveryServer): the connected proxies, the current push
// context and version, debounced pushes through the push queue, and per-proxy generation with
// the encode-once cache. The SotW and delta streams (sotw.ts, delta.ts) only speak the protocol.
import type { Generator, ProxyInfo, PushRequest, XdsResource } from '../contracts.js';
import { XdsMetrics, typeLabel } from '../monitoring.js';
import { PUSH_ORDER, TypeUrl } from '../type-urls.js';
import { systemClock, type Clock } from './clock.js';
import { clusterHost, partialSelection, type Connection, type Selection, type Watch } from './connection.js';
import { DEFAULT_DEBOUNCE, Debouncer } from './debounce.js';
import { PushQueue } from './push-queue.js';
import { ResourceCache } from './resource-cache.js';
import { EMPTY_LIST, EncodedList } from './encoded-list.js';
import type { WireNode } from './wire.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string) => void;

export const stderrLogger: Logger = (level, msg) => {
  if (level !== 'debug' || process.env.WEFT_DEBUG) process.stderr.write(`${level}\tads\t${msg}\n`);
};

export interface DiscoveryServerOptions<Push> {
  generators: Iterable<Generator<Push>>;
  /** Reads a proxy from the Envoy Node of its first request; throws when the node is unusable. */
  proxyFromNode(node: WireNode): ProxyInfo;
  /**
   * The push context for a push: rebuilt for a full push, endpoints refreshed for an EDS-only one,
   * built fresh when `req` is undefined (start). Throw to keep the previous context.
   */
  initPushContext(req: PushRequest | undefined, previous: Push | undefined): Push;
  debounce?: { after: number; max: number };
  clock?: Clock;
  metrics?: XdsMetrics;
  /** Connections pushed concurrently (PILOT_PUSH_THROTTLE, default 100). */
  pushConcurrency?: number;
  /**
   * Flow control: a push moves to a proxy's next type once the proxy answered (ACK/NACK) the last
   * response, or after this many ms (default 5000; 0 turns it off). It bounds the responses in
   * flight to about one per concurrently pushed proxy.
   */
  ackTimeout?: number;
  /** Reported in every response's control_plane.identifier. */
  controlPlaneId?: string;
  log?: Logger;
}

export class DiscoveryServer<Push = unknown> {
  readonly metrics: XdsMetrics;
  readonly cache = new ResourceCache();
  readonly clock: Clock;
  readonly log: Logger;
  readonly controlPlaneId: string;
  readonly connections = new Set<Connection>();
  private readonly generators = new Map<string, Generator<Push>>();
  private readonly debouncer: Debouncer;
  private readonly queue: PushQueue<Connection>;
  private pushContext: Push | undefined;
  /** Generation output shared by proxies of one scope, per push context. */
  private readonly shared = new WeakMap<object, Map<string, XdsResource[]>>();
  private pushCounter = 0;
  private pushVersion = '';

  constructor(private readonly opts: DiscoveryServerOptions<Push>) {
    for (const g of opts.generators) {
      if (this.generators.has(g.typeUrl)) throw new Error(`duplicate xDS generator for ${g.typeUrl}`);
      this.generators.set(g.typeUrl, g);
    }
    this.clock = opts.clock ?? systemClock;
    this.metrics = opts.metrics ?? new XdsMetrics();
    this.log = opts.log ?? stderrLogger;
    this.controlPlaneId = opts.controlPlaneId ?? 'weft';
    this.debouncer = new Debouncer({
      ...(opts.debounce ?? DEFAULT_DEBOUNCE),
      clock: this.clock,
      push: async (req, waited) => {
        this.metrics.debounce.observe(waited / 1000);
        this.push(req);
      },
    });
    this.queue = new PushQueue(opts.pushConcurrency ?? 100, (c, r) => this.pushConnection(c, r));
  }

  /** Builds the first push context; call before serving. */
  start(): void {
    this.pushContext = this.opts.initPushContext(undefined, undefined);
    this.nextVersion();
  }

  stop(): void {
    this.debouncer.stop();
  }

  get version(): string {
    return this.pushVersion;
  }

  get currentPush(): Push {
    if (this.pushContext === undefined) throw new Error('DiscoveryServer.start() was not called');
    return this.pushContext;
  }

  /** A config or endpoint change: debounced, then pushed (Pilot's ConfigUpdate). */
  configUpdate(req: PushRequest): void {
    this.debouncer.enqueue(req);
  }

  /**
   * Pushes now, without debouncing: refreshes the push context (rebuilt when full, endpoints only
   * otherwise), then queues every proxy. If the context cannot be built the old one keeps serving.
   */
  push(req: PushRequest): void {
    try {
      this.pushContext = this.opts.initPushContext(req, this.pushContext);
    } catch (e) {
      this.metrics.pushContextErrors.inc();
      this.log('error', `push context failed, keeping the previous one: ${(e as Error).message}`);
      return;
    }
    this.nextVersion();
    if (req.full) this.cache.rotate();
    for (const c of this.connections) this.queue.enqueue(c, req);
  }

  /** Resolves once every queued push has been written (tests, bench). */
  settled(): Promise<void> {
    return this.queue.idle();
  }

  proxyFromNode(node: WireNode): ProxyInfo {
    return this.opts.proxyFromNode(node);
  }

  addConnection(c: Connection): void {
    this.connections.add(c);
    this.metrics.connected.set(this.connections.size);
    this.log('info', `new connection ${c.id} (${c.responder.mode}) from ${c.peer}`);
  }

  removeConnection(c: Connection): void {
    c.closed = true;
    for (const w of c.watches.values()) w.wake();
    this.connections.delete(c);
    this.queue.remove(c);
    this.metrics.connected.set(this.connections.size);
    this.log('info', `connection ${c.id} closed`);
  }

  recordReject(c: Connection, w: Watch): void {
    const type = typeLabel(w.typeUrl);
    this.metrics.rejects.inc({ type });
    this.log(
      'warn',
      `${type} rejected by ${c.proxy.id} (nonce ${w.lastNack?.nonce}): ${w.lastNack?.message}`,
    );
  }

  /** Answers a subscription request for one type with everything the watch covers. */
  async respond(c: Connection, w: Watch): Promise<void> {
    await c.serial(() => this.pushType(c, w, undefined, w.selection(), true));
  }

  private async pushConnection(c: Connection, req: PushRequest): Promise<void> {
    const ackTimeout = this.opts.ackTimeout ?? 5000;
    for (const w of orderedWatches(c)) {
      if (c.closed) return;
      const sent = await c.serial(() => this.pushWatch(c, w, req));
      // Waits outside the stream's serial section: Envoy answers CDS only after EDS requests.
      if (sent && ackTimeout > 0) await w.untilAnswered(this.clock, ackTimeout);
    }
    if (req.full && !c.closed)
      this.metrics.convergence.observe(Math.max(0, this.clock.now() - req.start) / 1000);
  }

  private async pushWatch(c: Connection, w: Watch, req: PushRequest): Promise<boolean> {
    if (c.closed) return false;
    const g = this.generators.get(w.typeUrl);
    if (!req.full && w.typeUrl === TypeUrl.ClusterLoadAssignment) return this.pushEndpoints(c, w, req);
    const needed = req.full
      ? g?.needsPush?.(c.proxy, req, this.currentPush) !== false
      : g?.needsPush?.(c.proxy, req, this.currentPush) === true;
    return needed && this.pushType(c, w, req, w.selection(), false);
  }

  /**
   * Incremental EDS: only the clusters of changed services that this proxy watches. Other types go
   * out on an endpoint-only push only when their generator says so (CDS for DNS clusters).
   */
  private async pushEndpoints(c: Connection, w: Watch, req: PushRequest): Promise<boolean> {
    const names = w.wildcard ? undefined : w.namesForHosts(req.edsUpdates);
    if (names?.length === 0) return false;
    // A wildcard EDS watch is generated whole, then cut down to the changed services.
    const keep = names ? undefined : (n: string) => req.edsUpdates.has(clusterHost(n));
    return this.pushType(c, w, req, partialSelection(names), false, keep);
  }

  private async pushType(
    c: Connection,
    w: Watch,
    update: PushRequest | undefined,
    sel: Selection,
    force: boolean,
    keep?: (name: string) => boolean,
  ): Promise<boolean> {
    const started = this.clock.now();
    const generated = this.generate(c, w, update, sel);
    if (!generated) return false;
    const list = keep ? new EncodedList(generated.items.filter((r) => keep(r.name))) : generated;
    const covered = keep && !sel.names ? list.items.map((r) => r.name) : sel.names;
    const sent = await c.responder.respond(w, list, {
      version: this.pushVersion,
      covered,
      partial: sel.partial,
      force,
    });
    if (!sent) return false;
    const type = typeLabel(w.typeUrl);
    this.metrics.pushes.inc({ type });
    this.metrics.pushTime.observe({ type }, (this.clock.now() - started) / 1000);
    return true;
  }

  /** Generates and encodes; on failure logs, counts and returns undefined (last good config stays). */
  private generate(
    c: Connection,
    w: Watch,
    update: PushRequest | undefined,
    sel: Selection,
  ): EncodedList | undefined {
    const g = this.generators.get(w.typeUrl);
    if (!g) return EMPTY_LIST;
    try {
      const encoded = this.cache.encodeList(w.typeUrl, this.generateShared(g, c.proxy, sel, update));
      w.lastError = undefined;
      return encoded;
    } catch (e) {
      w.lastError = (e as Error).message;
      this.metrics.internalErrors.inc();
      this.log('error', `${typeLabel(w.typeUrl)} generation failed for ${c.proxy.id}: ${w.lastError}`);
      return undefined;
    }
  }

  /** Generates once per generator scope key within a push context (see Generator.scopeKey). */
  private generateShared(
    g: Generator<Push>,
    proxy: ProxyInfo,
    sel: Selection,
    update: PushRequest | undefined,
  ): XdsResource[] {
    const push = this.currentPush;
    const names = sel.names;
    const run = (): XdsResource[] => g.generate({ proxy, push, ...(names ? { names } : {}), update });
    if (!g.scopeKey || typeof push !== 'object' || push === null) return run();
    let memo = this.shared.get(push);
    if (!memo) this.shared.set(push, (memo = new Map()));
    const key = [g.typeUrl, g.scopeKey(proxy, push), sel.key, updateKey(update)].join('\0');
    let out = memo.get(key);
    if (!out) memo.set(key, (out = run()));
    return out;
  }

  private nextVersion(): void {
    const now = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    this.pushVersion = `${now}/${++this.pushCounter}`;
  }
}

/** What of a push request a generator may read: full or not, and which services' endpoints changed. */
function updateKey(u: PushRequest | undefined): string {
  if (!u) return 'request';
  return u.full ? 'full' : `eds:${[...u.edsUpdates].sort().join(',')}`;
}

/** CDS, EDS, LDS, RDS, then any other type, so nothing references what the proxy lacks. */
function orderedWatches(c: Connection): Watch[] {
  const rank = (t: string): number => {
    const i = PUSH_ORDER.indexOf(t as TypeUrl);
    return i < 0 ? PUSH_ORDER.length : i;
  };
  return [...c.watches.values()].sort((a, b) => rank(a.typeUrl) - rank(b.typeUrl));
}
