// One ADS stream: the proxy behind it and, per type URL, what it subscribed to and where the
// request/response exchange stands (Pilot's XdsConnection + WatchedResource).
import type { ProxyInfo } from '../contracts.js';
import { createHash } from 'node:crypto';
import { parseClusterName } from '../generators/common.js';
import type { Clock } from './clock.js';
import { SentSet, type EncodedList } from './encoded-list.js';

export interface Nack {
  nonce: string;
  version: string;
  message: string;
  at: number;
}

export class Watch {
  /** Legacy (empty names on CDS/LDS) or explicit ("*") wildcard subscription. */
  wildcard = false;
  private readonly named = new Set<string>();
  /** Cluster names by service hostname, for incremental EDS; rebuilt after names change. */
  private byHost?: Map<string, string[]>;
  private selected?: Selection;
  /** Pushes waiting for the proxy to answer the last response (flow control). */
  private answerWaiters: (() => void)[] = [];
  /** Shared nonces this watch was sent in the current push version (SotW). */
  private nonces = { version: '', used: new Set<string>() };
  nonceSent?: string;
  versionSent?: string;
  nonceAcked?: string;
  versionAcked?: string;
  lastSentAt?: number;
  lastNack?: Nack;
  /** Generation failure for this proxy and type: the proxy keeps what it was last sent. */
  lastError?: string;
  /** What the proxy was last sent (the "last good config"; also config_dump). */
  readonly sent = new SentSet();
  /** SotW only: the namesKey of the request the names were taken from (see SotwRequest). */
  namesKey?: string;
  /** Delta only: versions the client reported having on (re)connect (initial_resource_versions). */
  readonly clientVersions = new Map<string, string>();

  constructor(readonly typeUrl: string) {}

  get names(): ReadonlySet<string> {
    return this.named;
  }

  setNames(names: Iterable<string>): void {
    this.named.clear();
    for (const n of names) this.named.add(n);
    this.changed();
  }

  subscribe(name: string): void {
    this.named.add(name);
    this.changed();
  }

  unsubscribe(name: string): void {
    this.named.delete(name);
    this.changed();
  }

  private changed(): void {
    this.byHost = undefined;
    this.selected = undefined;
    this.namesKey = undefined;
  }

  /** Subscribed cluster names whose service is one of `hosts` (cost: |hosts|, not |names|). */
  namesForHosts(hosts: ReadonlySet<string>): string[] {
    if (!this.byHost) {
      this.byHost = new Map();
      for (const n of this.named) {
        const h = clusterHost(n);
        const list = this.byHost.get(h);
        if (list) list.push(n);
        else this.byHost.set(h, [n]);
      }
    }
    return [...hosts].flatMap((h) => this.byHost?.get(h) ?? []);
  }

  /** Whether the proxy has ACKed or NACKed the last response sent. */
  answered(): boolean {
    return (
      this.nonceSent === undefined ||
      this.nonceAcked === this.nonceSent ||
      this.lastNack?.nonce === this.nonceSent
    );
  }

  /** Wakes pushes waiting for an answer (after an ACK or NACK, or when the stream closes). */
  wake(): void {
    const waiters = this.answerWaiters;
    this.answerWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once the last response is answered, or after `timeoutMs`. */
  untilAnswered(clock: Clock, timeoutMs: number): Promise<void> {
    if (this.answered()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = clock.setTimeout(done, timeoutMs);
      const self = this.answerWaiters;
      function done(): void {
        clock.clearTimeout(timer);
        resolve();
      }
      self.push(done);
    });
  }

  /** Claims `nonce` for this watch in `version`; false if it was already sent here. */
  useNonce(version: string, nonce: string): boolean {
    if (this.nonces.version !== version) this.nonces = { version, used: new Set() };
    if (this.nonces.used.has(nonce)) return false;
    this.nonces.used.add(nonce);
    return true;
  }

  /** Everything this watch covers, computed once per subscription change. */
  selection(): Selection {
    if (this.wildcard) return ALL;
    if (!this.selected) {
      const names = [...this.named].sort();
      const key = createHash('sha1').update(names.join('\n')).digest('base64url');
      this.selected = { names, key, partial: false };
    }
    return this.selected;
  }

  sameNames(names: readonly string[]): boolean {
    if (this.wildcard) return names.length === 0;
    return names.length === this.named.size && names.every((n) => this.named.has(n));
  }

  status(): SyncStatus {
    if (this.nonceSent === undefined) return 'NOT SENT';
    return this.nonceAcked === this.nonceSent && !this.lastNack ? 'SYNCED' : 'STALE';
  }
}

/** What a generation covers: `names` (undefined: all), a key for sharing it, and whether it is a subset. */
export interface Selection {
  readonly names: readonly string[] | undefined;
  readonly key: string;
  /** Only some of what the proxy watches (incremental EDS): other resources stay as they are. */
  readonly partial: boolean;
}

const ALL: Selection = { names: undefined, key: '*', partial: false };

export function partialSelection(names: readonly string[] | undefined): Selection {
  return { names, key: names ? names.join('\n') : '*', partial: true };
}

export type SyncStatus = 'SYNCED' | 'STALE' | 'NOT SENT';

/** Sends one response for a type; implemented by the SotW and delta streams. */
export interface Responder {
  readonly mode: 'sotw' | 'delta';
  /** Sends what changed in `resources` and returns whether anything was written. */
  respond(watch: Watch, resources: EncodedList, opts: RespondOptions): Promise<boolean>;
}

export interface RespondOptions {
  version: string;
  /** The names generation covered (undefined: everything the proxy may have of this type). */
  covered: readonly string[] | undefined;
  /** `covered` is a subset of the watch (incremental EDS): resources outside it are untouched. */
  partial: boolean;
  /** Send even when nothing changed: a request must be answered. */
  force: boolean;
}

let counter = 0;

export class Connection {
  readonly id: string;
  readonly watches = new Map<string, Watch>();
  readonly connectedAt: number;
  closed = false;
  /** Serializes work on this stream so a push and a request reply never interleave. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly proxy: ProxyInfo,
    readonly responder: Responder,
    readonly peer: string,
    now: number,
  ) {
    this.id = `${proxy.id}-${++counter}`;
    this.connectedAt = now;
  }

  watch(typeUrl: string): { watch: Watch; created: boolean } {
    let w = this.watches.get(typeUrl);
    if (w) return { watch: w, created: false };
    w = new Watch(typeUrl);
    this.watches.set(typeUrl, w);
    return { watch: w, created: true };
  }

  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * The service hostname of an Istio cluster name, `outbound|<port>|<subset>|<fqdn>` or an
 * AUTO_PASSTHROUGH gateway's `outbound_.<port>_.<subset>_.<fqdn>`; other names are their own key.
 */
export function clusterHost(name: string): string {
  // The `|` form first, without parsing: incremental EDS maps every watched name (thousands per proxy).
  const bar = name.lastIndexOf('|');
  if (bar >= 0) return name.slice(bar + 1);
  return parseClusterName(name)?.host ?? name;
}
