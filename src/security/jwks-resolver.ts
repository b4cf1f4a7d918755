// The control plane's JWKS cache (Istio pilot/pkg/model/jwks_resolver.go): fetches each jwksUri
// (or, given only an issuer, the jwks_uri of its /.well-known/openid-configuration), keeps the
// document to inline into jwt_authn, refreshes every 20 minutes (backing off from 1 minute, doubling
// up to 60, while fetches fail), keeps the last good copy when a refresh fails, evicts entries
// unused for a week, and reports changed keys so the control plane pushes the new ones.
import { systemClock, type Clock } from '../xds/server/clock.js';

export interface JwksResolverOptions {
  /** Default 20 min (Istio PILOT_JWT_PUB_KEY_REFRESH_INTERVAL). */
  refreshIntervalMs?: number;
  /** First retry delay after a failed round (default 1 min), doubled per failed round up to 60 min. */
  refreshIntervalOnFailureMs?: number;
  /** Entries neither used nor refreshed for this long are dropped (default 7 days). */
  evictionMs?: number;
  /** Per request (default 5 s, the JWTRule timeout default). */
  timeoutMs?: number;
  clock?: Clock;
}

const MINUTE = 60_000;
const MAX_FAILURE_INTERVAL = 60 * MINUTE;
const OPENID_CONFIG_SUFFIX = '/.well-known/openid-configuration';
const MAX_BODY_BYTES = 1024 * 1024;

interface Entry {
  issuer: string;
  jwksUri: string;
  /** The last good document; undefined until one was fetched. */
  jwks?: string;
  lastUsed: number;
  lastRefreshed: number;
  inFlight?: Promise<boolean>;
}

async function getText(url: string, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  const body = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw new Error(`status ${res.status}, message ${JSON.stringify(body.slice(0, 100))}`);
  if (body.length > MAX_BODY_BYTES) throw new Error(`response larger than ${MAX_BODY_BYTES} bytes`);
  return body;
}

/** Istio's validateJWKSFormat: JSON with a "keys" array. */
function checkJwks(text: string): void {
  const doc = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(doc?.keys)) throw new Error('not a JWKS: missing "keys" array');
}

/** Key sets compared by content, so a reordered or reformatted document is no rotation. */
function sameKeys(a: string, b: string): boolean {
  if (a === b) return true;
  const canon = (t: string) =>
    ((JSON.parse(t) as { keys: unknown[] }).keys ?? []).map((k) => JSON.stringify(k)).sort();
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

export class JwksResolver {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private readonly clock: Clock;
  private readonly interval: number;
  private readonly failureInterval: number;
  private readonly eviction: number;
  private readonly timeout: number;
  private timer: unknown;
  private dueAt = Infinity;
  private failedRounds = 0;
  private closed = false;

  constructor(o: JwksResolverOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.interval = o.refreshIntervalMs ?? 20 * MINUTE;
    this.failureInterval = o.refreshIntervalOnFailureMs ?? MINUTE;
    this.eviction = o.evictionMs ?? 7 * 24 * 60 * MINUTE;
    this.timeout = o.timeoutMs ?? 5000;
  }

  /**
   * What jwt_authn inlines for a rule (buildJwtAuthnFilter's `resolveJwks`): the cached document, or
   * undefined — the filter then fails closed — while the first fetch is under way or failing. A
   * miss starts the fetch; its success fires onChange so the control plane pushes the keys.
   */
  readonly resolveJwks = (jwksUri: string, issuer: string): string | undefined => {
    const e = this.entry(jwksUri, issuer);
    if (!e) return undefined;
    if (e.jwks === undefined && !e.inFlight) void this.load(e, true);
    return e.jwks;
  };

  /** Fetches now unless cached (e.g. before the first push) and returns the document. */
  async fetchJwks(jwksUri: string, issuer: string): Promise<string | undefined> {
    const e = this.entry(jwksUri, issuer);
    if (!e) return undefined;
    if (e.jwks === undefined) await (e.inFlight ?? this.load(e, false));
    return e.jwks;
  }

  /** Called after keys change (a first fetch succeeded or a refresh saw rotated keys). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One refresh round over every entry; true when some key set changed. Runs on the timer too. */
  async refresh(): Promise<boolean> {
    const now = this.clock.now();
    let changed = false;
    let failed = false;
    await Promise.all(
      [...this.entries].map(async ([key, e]) => {
        if (now - e.lastUsed >= this.eviction || now - e.lastRefreshed >= this.eviction) {
          this.entries.delete(key);
          return;
        }
        // A fetch already under way (a first use) reports its own change.
        if (e.inFlight) {
          if (!(await e.inFlight)) failed = true;
          return;
        }
        const before = e.jwks;
        if (!(await this.load(e, false))) failed = true;
        else if (e.jwks !== before) changed = true;
      }),
    );
    if (changed) this.emit();
    this.failedRounds = failed ? this.failedRounds + 1 : 0;
    const backoff = this.failureInterval * 2 ** Math.max(0, this.failedRounds - 1);
    this.schedule(failed ? Math.min(backoff, MAX_FAILURE_INTERVAL) : this.interval, true);
    return changed;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.entries.clear();
    this.listeners.clear();
  }

  private entry(jwksUri: string, issuer: string): Entry | undefined {
    if (this.closed || (jwksUri === '' && issuer === '')) return undefined;
    const key = `${issuer}\n${jwksUri}`;
    const now = this.clock.now();
    let e = this.entries.get(key);
    if (!e) {
      e = { issuer, jwksUri, lastUsed: now, lastRefreshed: now };
      this.entries.set(key, e);
      this.schedule(this.interval, false);
    }
    e.lastUsed = Math.max(e.lastUsed, now);
    return e;
  }

  /** Fetches one entry; on failure the last good copy stays. Resolves to whether it succeeded. */
  private load(e: Entry, notify: boolean): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      try {
        const uri = e.jwksUri || (await this.discover(e.issuer));
        const text = await getText(uri, this.timeout);
        checkJwks(text);
        e.lastRefreshed = this.clock.now();
        if (e.jwks !== undefined && sameKeys(e.jwks, text)) return true;
        e.jwks = text;
        if (notify && !this.closed) this.emit();
        return true;
      } catch {
        // An entry that never fetched is retried soon rather than at the next regular round.
        if (e.jwks === undefined) this.schedule(this.failureInterval, false);
        return false;
      } finally {
        e.inFlight = undefined;
      }
    };
    e.inFlight = run();
    return e.inFlight;
  }

  /** The jwks_uri of an OpenID issuer. */
  private async discover(issuer: string): Promise<string> {
    const text = await getText(`${issuer.replace(/\/$/, '')}${OPENID_CONFIG_SUFFIX}`, this.timeout);
    const uri = (JSON.parse(text) as { jwks_uri?: unknown }).jwks_uri;
    if (typeof uri !== 'string' || uri === '')
      throw new Error(`invalid jwks_uri ${JSON.stringify(uri)} in openID discovery configuration`);
    return uri;
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  /** Arms the refresh timer; `replace` moves it, otherwise only an earlier deadline does. */
  private schedule(ms: number, replace: boolean): void {
    if (this.closed || this.entries.size === 0) return;
    const at = this.clock.now() + ms;
    if (!replace && at >= this.dueAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      void this.refresh();
    }, ms);
  }
}
