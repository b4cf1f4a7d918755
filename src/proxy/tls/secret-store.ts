// A worker's view of SDS secrets by name, as the main context last published them. TLS contexts
// read it when they build a SecureContext and subscribe to rebuild on change, so new handshakes
// use new certificates while established connections keep theirs.
import type { NamedSecret, SecretData } from './secret.js';

export class SecretStore {
  private readonly secrets = new Map<string, SecretData>();
  private readonly watchers = new Set<(names: ReadonlySet<string>) => void>();

  get(name: string): SecretData | undefined {
    return this.secrets.get(name);
  }

  set(list: readonly NamedSecret[]): void {
    for (const s of list) this.secrets.set(s.name, s.data);
    const names = new Set(list.map((s) => s.name));
    for (const w of this.watchers) w(names);
  }

  /** Calls `cb` with the names of every later update; returns the unsubscribe function. */
  watch(cb: (names: ReadonlySet<string>) => void): () => void {
    this.watchers.add(cb);
    return () => this.watchers.delete(cb);
  }

  /**
   * Resolves true once every name is present, false after timeoutMs (a context referencing a
   * secret that has not arrived waits, as Envoy's warming does, rather than failing at once).
   */
  whenReady(names: readonly string[], timeoutMs: number): Promise<boolean> {
    const missing = (): boolean => names.some((n) => !this.secrets.has(n));
    if (!missing()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        unwatch();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const unwatch = this.watch(() => {
        if (!missing()) done(true);
      });
    });
  }
}
