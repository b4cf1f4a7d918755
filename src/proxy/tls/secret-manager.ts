// The main context's secrets (Envoy's SecretManager): static_resources.secrets, SDS secrets from
// the ADS stream or an SDS cluster, and Istio's file-cert:/file-root: names read from disk and
// watched. It subscribes to what listeners and clusters reference and publishes every change to
// the workers, which rebuild their TLS contexts for new handshakes only.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { ConfigError, type Msg } from '../config/proto.js';
import { log } from '../log.js';
import { SdsClient, clusterTarget } from '../xds/sds-client.js';
import { FILE_CERT_PREFIX, type SecretRef, type SecretSource } from './context-config.js';
import { parseSecret, type NamedSecret, type SecretData } from './secret.js';

export interface SecretEntry {
  name: string;
  source: SecretSource;
  /** decoded Secret resource, for /config_dump */
  raw: Msg;
  data: SecretData;
  version: string;
  updated: string;
}

export interface SecretManagerOptions {
  bootstrap: Msg;
  node: Msg;
  publish(secrets: NamedSecret[]): Promise<void>;
}

const FILE_POLL_MS = 1000;

/** Istio's names: file-cert:<cert>~<key>, file-root:<ca>. */
function fileSecret(name: string): Msg {
  const b64 = (path: string): Msg => ({ inline_bytes: readFileSync(path).toString('base64') });
  if (name.startsWith(FILE_CERT_PREFIX)) {
    const [cert, key] = name.slice(FILE_CERT_PREFIX.length).split('~') as [string, string | undefined];
    if (!key) throw new Error(`${name}: expected file-cert:<cert>~<key>`);
    return { name, tls_certificate: { certificate_chain: b64(cert), private_key: b64(key) } };
  }
  return { name, validation_context: { trusted_ca: b64(name.slice(name.indexOf(':') + 1)) } };
}

function filesOf(name: string): string[] {
  return name.slice(name.indexOf(':') + 1).split('~');
}

export class SecretManager {
  private readonly entries = new Map<string, SecretEntry>();
  private readonly refsByOwner = new Map<string, SecretRef[]>();
  private readonly sds = new Map<string, SdsClient>();
  private readonly watchedFiles = new Map<string, () => void>();
  private adsSubscribe: ((names: string[]) => void) | undefined;
  private adsNames = '';

  constructor(private readonly opts: SecretManagerOptions) {}

  /** static_resources.secrets; throws on an invalid one, as the bootstrap must be valid. */
  async loadStatic(): Promise<void> {
    const list = (this.opts.bootstrap.static_resources?.secrets ?? []) as Msg[];
    const parsed = list.map((s, i) => parseSecret(s, `static_resources.secrets[${i}]`));
    parsed.forEach((p, i) => this.store(p, list[i]!, { kind: 'static' }, ''));
    await this.opts.publish(parsed);
  }

  /** The ADS stream is up: secrets with sds_config {ads: {}} are subscribed on it. */
  connectAds(subscribe: (names: string[]) => void): void {
    this.adsSubscribe = subscribe;
    this.adsNames = '';
    this.resubscribe();
  }

  /** What one owner (static, cds, lds) references now; subscriptions follow the union. */
  setRefs(owner: string, refs: SecretRef[]): void {
    this.refsByOwner.set(owner, refs);
    this.resubscribe();
  }

  private resubscribe(): void {
    const ads = new Set<string>();
    const byCluster = new Map<string, Set<string>>();
    const files = new Set<string>();
    for (const refs of this.refsByOwner.values())
      for (const r of refs)
        if (r.source.kind === 'ads') ads.add(r.name);
        else if (r.source.kind === 'file') files.add(r.name);
        else if (r.source.kind === 'cluster') {
          const set = byCluster.get(r.source.cluster) ?? new Set();
          byCluster.set(r.source.cluster, set.add(r.name));
        }
    const adsList = [...ads].sort();
    // An empty SotW subscription would mean "everything"; keep the last one instead.
    if (this.adsSubscribe && adsList.length && adsList.join() !== this.adsNames) {
      this.adsNames = adsList.join();
      this.adsSubscribe(adsList);
    }
    for (const [cluster, names] of byCluster) {
      let c = this.sds.get(cluster);
      if (!c) {
        c = new SdsClient(clusterTarget(this.opts.bootstrap, cluster), this.opts.node, (_t, v, rs) =>
          this.onDynamic({ kind: 'cluster', cluster }, v, rs),
        );
        this.sds.set(cluster, c);
      }
      c.subscribe([...names].sort());
    }
    for (const name of files) if (!this.watchedFiles.has(name)) this.watchFileSecret(name);
  }

  private watchFileSecret(name: string): void {
    const load = (): void => {
      let raw: Msg;
      try {
        raw = fileSecret(name);
      } catch (e) {
        log.warn(`sds: ${name}: ${(e as Error).message}`);
        return;
      }
      const prev = this.entries.get(name);
      if (prev && JSON.stringify(prev.raw) === JSON.stringify(raw)) return;
      const parsed = parseSecret(raw, name);
      this.store(parsed, raw, { kind: 'file' }, new Date().toISOString());
      void this.opts.publish([parsed]);
    };
    const paths = filesOf(name);
    for (const p of paths) watchFile(p, { interval: FILE_POLL_MS, persistent: false }, load);
    this.watchedFiles.set(name, () => paths.forEach((p) => unwatchFile(p, load)));
    load();
  }

  /** Secret resources from ADS or an SDS stream; an error message NACKs the whole response. */
  async onDynamic(source: SecretSource, version: string, resources: Msg[]): Promise<string | undefined> {
    const parsed: NamedSecret[] = [];
    const errors: string[] = [];
    resources.forEach((r, i) => {
      try {
        parsed.push(parseSecret(r, `secrets[${(r.name as string | undefined) ?? i}]`));
      } catch (e) {
        errors.push(e instanceof ConfigError ? e.message : (e as Error).message);
      }
    });
    if (errors.length) return errors.join('; ');
    const changed = parsed.filter((p, i) => {
      const prev = this.entries.get(p.name);
      return !prev || JSON.stringify(prev.raw) !== JSON.stringify(resources[i]);
    });
    parsed.forEach((p, i) => {
      if (changed.includes(p)) this.store(p, resources[i]!, source, version);
    });
    if (changed.length) await this.opts.publish(changed);
    return undefined;
  }

  private store(p: NamedSecret, raw: Msg, source: SecretSource, version: string): void {
    this.entries.set(p.name, {
      name: p.name,
      source,
      raw,
      data: p.data,
      version,
      updated: new Date().toISOString(),
    });
  }

  /** Every resolved secret (a new worker's snapshot, /config_dump, /certs). */
  all(): SecretEntry[] {
    return [...this.entries.values()];
  }

  /** Referenced but not yet received (Envoy's dynamic_warming_secrets). */
  warming(): string[] {
    const out = new Set<string>();
    for (const refs of this.refsByOwner.values())
      for (const r of refs) if (!this.entries.has(r.name)) out.add(r.name);
    return [...out].sort();
  }

  stop(): void {
    for (const c of this.sds.values()) c.stop();
    this.sds.clear();
    for (const unwatch of this.watchedFiles.values()) unwatch();
    this.watchedFiles.clear();
  }
}
