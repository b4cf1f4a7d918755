// A provider's keys: local JWKS parsed once with the config; remote JWKS fetched through the named
// cluster, cached for cache_duration (one fetch in flight at a time; failures are not cached), and
// with async_fetch fetched up front and refreshed in the background while the old keys serve.
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { ClusterManager } from '../../../upstream/cluster-manager.js';
import type { Counter } from '../../../stats/store.js';
import { sendAsync } from '../../common/async_client/index.js';
import type { JwksConfig } from './config.js';
import { JwtStatus } from './status.js';

export type KeySet = ReturnType<typeof createLocalJWKSet>;

/** A JWKS document → its key set, or the status Envoy reports for a bad one. */
export function keySetOf(text: string): KeySet | JwtStatus {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return JwtStatus.jwksParse;
  }
  const keys = (doc as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) return JwtStatus.jwksNoValidKeys;
  try {
    return createLocalJWKSet(doc as JSONWebKeySet);
  } catch {
    return JwtStatus.jwksNoValidKeys;
  }
}

export interface JwksSource {
  keys(): Promise<KeySet | JwtStatus>;
}

export function localJwks(text: string): JwksSource {
  const ks = keySetOf(text);
  return { keys: () => Promise.resolve(ks) };
}

export class RemoteJwks implements JwksSource {
  private cached: { keys: KeySet; expires: number } | undefined;
  private inflight: Promise<KeySet | JwtStatus> | undefined;

  constructor(
    private readonly cfg: Extract<JwksConfig, { kind: 'remote' }>,
    private readonly cm: ClusterManager,
    private readonly stats: { jwks_fetch_success: Counter; jwks_fetch_failed: Counter },
  ) {
    if (cfg.asyncFetch) void this.fetch();
  }

  keys(): Promise<KeySet | JwtStatus> {
    const c = this.cached;
    if (c && c.expires > Date.now()) return Promise.resolve(c.keys);
    if (c && this.cfg.asyncFetch) {
      void this.fetch();
      return Promise.resolve(c.keys);
    }
    return this.fetch();
  }

  private fetch(): Promise<KeySet | JwtStatus> {
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async load(): Promise<KeySet | JwtStatus> {
    const { cfg } = this;
    try {
      const r = await sendAsync(
        this.cm,
        cfg.cluster,
        { method: 'GET', path: cfg.path, authority: cfg.authority, headers: [] },
        cfg.timeoutMs,
      ).response;
      const ks = r.status === 200 ? keySetOf(r.body.toString()) : JwtStatus.jwksFetchFail;
      if (typeof ks === 'string') throw new Error(ks);
      this.stats.jwks_fetch_success.value++;
      this.cached = { keys: ks, expires: Date.now() + cfg.cacheMs };
      return ks;
    } catch {
      this.stats.jwks_fetch_failed.value++;
      return this.cached?.keys ?? JwtStatus.jwksFetchFail;
    }
  }
}
