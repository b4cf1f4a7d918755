// The proxy's main context (Envoy's main thread): bootstrap, xDS (validate → ACK/NACK → hand
// the accepted config to every worker), admin API, server-level stats. Workers own connections.
import os from 'node:os';
import { AdminServer, type AdminBackend } from './admin/server.js';
import { configDump } from './admin/config-dump.js';
import { mergeClusterViews, type ClusterView } from './admin/views.js';
import { ConfigError, type Msg } from './config/proto.js';
import { parseListener } from './listener/listener-config.js';
import { RouteTable } from './router/route-config.js';
import { parsePerFilterConfig } from './filters/registry.js';
import { StatsStore, makeCounters, makeGauges } from './stats/store.js';
import { parseCluster } from './upstream/cluster-config.js';
import { AdsClient } from './xds/ads-client.js';
import { ConfigState } from './xds/config-state.js';
import { TypeUrl } from '../xds/type-urls.js';
import { Worker, type ConfigUpdate } from './worker.js';
import { certsJson, secretsConfigDump } from './tls/admin.js';
import { clusterSecretRefs, listenerSecretRefs } from './tls/refs.js';
import { SecretManager } from './tls/secret-manager.js';
import { ChildWorker, LocalWorker, type ListenerAddress, type WorkerHandle } from './workers.js';

export const WEFT_PROXY_VERSION = '0.1.0';

export interface ProxyOptions {
  bootstrap: Msg;
  /** overrides the bootstrap's ADS target: host:port */
  xds?: string;
  nodeId?: string;
  /** incremental xDS; default from ads_config.api_type (DELTA_GRPC) */
  delta?: boolean;
  /** host:port, default from the bootstrap's admin address, else 127.0.0.1:15000 */
  admin?: string;
  concurrency?: number;
  drainMs?: number;
  onQuit?: () => void;
}

const HCM_URL =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

export class ProxyMain implements AdminBackend {
  readonly store = new StatsStore();
  readonly config: ConfigState;
  /** SDS secrets: static, ADS, SDS cluster and file-based; published to every worker */
  readonly secrets: SecretManager;
  private readonly workers: WorkerHandle[] = [];
  private readonly validation = new Worker();
  private admin: AdminServer | undefined;
  adminPort = 0;
  private ads: AdsClient | undefined;
  private phase: 'PRE_INITIALIZING' | 'INITIALIZING' | 'LIVE' | 'DRAINING' = 'PRE_INITIALIZING';
  private readonly startedAt = Date.now();
  private readonly server = makeGauges(this.store.scope('server'), [
    'live',
    'uptime',
    'state',
    'concurrency',
    'version',
  ] as const);
  private readonly cds = makeCounters(this.store.scope('cluster_manager.cds'), [
    'update_attempt',
    'update_success',
    'update_rejected',
  ] as const);
  private readonly lds = makeCounters(this.store.scope('listener_manager.lds'), [
    'update_attempt',
    'update_success',
    'update_rejected',
  ] as const);
  private readonly rds = makeCounters(this.store.scope('rds'), [
    'update_attempt',
    'update_success',
    'update_rejected',
  ] as const);
  private readonly eds = makeCounters(this.store.scope('cluster_manager.eds'), [
    'update_attempt',
    'update_success',
    'update_rejected',
  ] as const);
  private readonly controlPlane = this.store.gauge('control_plane.connected_state');
  private liveResolve!: () => void;
  /** resolves once the initial config is applied (LIVE) */
  readonly live = new Promise<void>((r) => (this.liveResolve = r));

  private constructor(private readonly opts: ProxyOptions) {
    const b = structuredClone(opts.bootstrap);
    if (opts.nodeId) b.node = { ...(b.node ?? {}), id: opts.nodeId };
    this.config = new ConfigState(b);
    this.secrets = new SecretManager({
      bootstrap: b,
      node: b.node ?? {},
      publish: (secrets) => this.broadcast({ kind: 'secrets', secrets }),
    });
  }

  static async start(opts: ProxyOptions): Promise<ProxyMain> {
    const p = new ProxyMain(opts);
    await p.init();
    return p;
  }

  private async init(): Promise<void> {
    const n = Math.max(1, this.opts.concurrency ?? 1);
    this.server.concurrency.set(n);
    this.server.state.set(2);
    const drainMs = this.opts.drainMs ?? 5000;
    const adminAddr = this.opts.admin ?? adminFromBootstrap(this.config.bootstrap) ?? '127.0.0.1:15000';
    const [host, port] = splitHostPort(adminAddr);
    this.admin = new AdminServer(this);
    this.adminPort = await this.admin.listen(host, port);
    const node = (this.config.bootstrap.node ?? {}) as Msg;
    if (n === 1) this.workers.push(new LocalWorker(new Worker(drainMs, Math.random, node)));
    else for (let i = 0; i < n; i++) this.workers.push(await ChildWorker.spawn(drainMs, node));

    await this.secrets.loadStatic();
    // Static clusters first (the ADS cluster is one of them), as Envoy initializes.
    this.validateClusters(this.config.staticClusters.map((v) => v.resource));
    await this.broadcast({
      kind: 'clusters',
      clusters: this.config.staticClusters.map((v) => v.resource),
      static: true,
    });
    const dyn = this.config.bootstrap.dynamic_resources as Msg | undefined;
    const target = this.opts.xds ?? adsTarget(this.config.bootstrap);
    this.phase = 'INITIALIZING';
    this.server.state.set(3);
    this.validateListeners(this.config.staticListeners.map((v) => v.resource));
    this.secrets.setRefs('static', [
      ...this.config.staticClusters.flatMap((v) => clusterSecretRefs(v.resource)),
      ...this.config.staticListeners.flatMap((v) => listenerSecretRefs(v.resource)),
    ]);
    await this.broadcast({
      kind: 'listeners',
      listeners: this.config.staticListeners.map((v) => v.resource),
      static: true,
    });
    if (target) {
      this.startAds(
        target,
        this.opts.xds !== undefined || Boolean(dyn?.cds_config),
        this.opts.xds !== undefined || Boolean(dyn?.lds_config),
      );
    } else this.goLive();
  }

  private goLive(): void {
    if (this.phase !== 'INITIALIZING') return;
    this.phase = 'LIVE';
    this.server.state.set(0);
    this.server.live.set(1);
    this.liveResolve();
  }

  private async broadcast(u: ConfigUpdate): Promise<void> {
    await Promise.all(this.workers.map((w) => w.apply(u)));
  }

  // --- xDS -----------------------------------------------------------------------------------

  private startAds(target: string, cds: boolean, lds: boolean): void {
    const node = {
      user_agent_name: 'weft',
      user_agent_version: WEFT_PROXY_VERSION,
      ...(this.config.bootstrap.node ?? {}),
    };
    let ldsStarted = false;
    const startLds = (): void => {
      if (ldsStarted) return;
      ldsStarted = true;
      if (lds) this.ads!.subscribe(TypeUrl.Listener, undefined);
      else this.goLive();
    };
    this.ads = new AdsClient({
      target,
      node,
      delta:
        this.opts.delta ?? this.config.bootstrap.dynamic_resources?.ads_config?.api_type === 'DELTA_GRPC',
      onConnected: (c) => this.controlPlane.set(c ? 1 : 0),
      handler: async (type, version, resources) => {
        const err = await this.onResources(type, version, resources);
        if (type === TypeUrl.Cluster) startLds();
        else if (type === TypeUrl.Listener && !err) this.goLive();
        return err;
      },
    });
    this.ads.start();
    this.secrets.connectAds((names) => this.ads!.subscribe(TypeUrl.Secret, names));
    if (cds) this.ads.subscribe(TypeUrl.Cluster, undefined);
    else startLds();
    // Static listeners may take their routes from RDS too.
    const staticRds = rdsNames(this.config.staticListeners.map((v) => v.resource));
    if (staticRds.length) this.ads.subscribe(TypeUrl.RouteConfiguration, staticRds);
  }

  private async onResources(type: string, version: string, resources: Msg[]): Promise<string | undefined> {
    switch (type) {
      case TypeUrl.Cluster:
        return this.onClusters(version, resources);
      case TypeUrl.ClusterLoadAssignment:
        return this.onAssignments(version, resources);
      case TypeUrl.Listener:
        return this.onListeners(version, resources);
      case TypeUrl.RouteConfiguration:
        return this.onRoutes(version, resources);
      case TypeUrl.Secret:
        return this.secrets.onDynamic({ kind: 'ads' }, version, resources);
      default:
        return `unsupported type ${type}`;
    }
  }

  private validateClusters(list: Msg[]): void {
    const errors = collect(list, (c) => parseCluster(c), 'clusters');
    if (errors.length) throw new Error(errors.join('; '));
  }

  private validateListeners(list: Msg[]): void {
    const errors = collect(list, (l) => parseListener(l, this.validation.ctx), 'listeners');
    if (errors.length) throw new Error(errors.join('; '));
  }

  private async onClusters(version: string, resources: Msg[]): Promise<string | undefined> {
    this.cds.update_attempt.inc();
    const errors = collect(resources, (c) => parseCluster(c), 'clusters');
    if (errors.length) {
      this.cds.update_rejected.inc();
      return errors.join('; ');
    }
    this.config.dynamicClusters = ConfigState.replace(this.config.dynamicClusters, resources, version);
    this.config.cdsVersion = version;
    this.secrets.setRefs('cds', resources.flatMap(clusterSecretRefs));
    await this.broadcast({ kind: 'clusters', clusters: resources, static: false });
    this.cds.update_success.inc();
    const eds = resources
      .filter((c) => c.type === 'EDS')
      .map((c) => (c.eds_cluster_config?.service_name as string | undefined) || (c.name as string));
    if (eds.length) this.ads!.subscribe(TypeUrl.ClusterLoadAssignment, [...new Set(eds)].sort());
    return undefined;
  }

  private async onAssignments(version: string, resources: Msg[]): Promise<string | undefined> {
    this.eds.update_attempt.inc();
    const bad = resources.findIndex((r) => !r.cluster_name);
    if (bad >= 0) {
      this.eds.update_rejected.inc();
      return `resources[${bad}].cluster_name: required`;
    }
    const now = new Date().toISOString();
    for (const cla of resources) {
      this.config.assignments.set(cla.cluster_name as string, { resource: cla, version, updated: now });
      await this.broadcast({ kind: 'assignment', cla });
    }
    this.eds.update_success.inc();
    return undefined;
  }

  private async onListeners(version: string, resources: Msg[]): Promise<string | undefined> {
    this.lds.update_attempt.inc();
    const errors = collect(resources, (l) => parseListener(l, this.validation.ctx), 'listeners');
    if (errors.length) {
      this.lds.update_rejected.inc();
      return errors.join('; ');
    }
    this.config.dynamicListeners = ConfigState.replace(this.config.dynamicListeners, resources, version);
    this.config.ldsVersion = version;
    this.secrets.setRefs('lds', resources.flatMap(listenerSecretRefs));
    // Subscribe RDS first so routes can arrive while listeners warm.
    const rds = new Set([
      ...rdsNames(this.config.staticListeners.map((v) => v.resource)),
      ...rdsNames(resources),
    ]);
    if (rds.size) this.ads!.subscribe(TypeUrl.RouteConfiguration, [...rds].sort());
    await this.broadcast({ kind: 'listeners', listeners: resources, static: false });
    this.lds.update_success.inc();
    return undefined;
  }

  private async onRoutes(version: string, resources: Msg[]): Promise<string | undefined> {
    this.rds.update_attempt.inc();
    const hcmUpgrades = new Map<string, boolean>();
    const errors = collect(
      resources,
      (r) => new RouteTable(r, { random: Math.random, parsePerFilter: parsePerFilterConfig, hcmUpgrades }),
      'route_configs',
    );
    if (errors.length) {
      this.rds.update_rejected.inc();
      return errors.join('; ');
    }
    const now = new Date().toISOString();
    for (const r of resources) {
      this.config.routes.set(r.name as string, { resource: r, version, updated: now });
      await this.broadcast({ kind: 'route', name: r.name as string, config: r, version });
    }
    this.rds.update_success.inc();
    return undefined;
  }

  // --- AdminBackend ----------------------------------------------------------------------------

  async stats(): Promise<StatsStore> {
    this.server.uptime.set(Math.floor((Date.now() - this.startedAt) / 1000));
    const out = new StatsStore();
    out.merge(this.store.snapshot());
    for (const s of await Promise.all(this.workers.map((w) => w.stats()))) out.merge(s);
    return out;
  }

  async clusters(): Promise<ClusterView[]> {
    return mergeClusterViews(await Promise.all(this.workers.map((w) => w.clusters())));
  }

  isDynamicCluster(name: string): boolean {
    return this.config.dynamicClusters.has(name);
  }

  async listeners(): Promise<ListenerAddress[]> {
    return (await this.workers[0]?.listeners()) ?? [];
  }

  configDump(includeEds: boolean): object {
    const dump = configDump(this.config, includeEds);
    const secrets = secretsConfigDump(this.secrets);
    return { configs: [...(dump.configs as object[]), ...(secrets ? [secrets] : [])] };
  }

  certs(): object {
    return certsJson(this.secrets);
  }

  serverInfo(): object {
    const up = Math.floor((Date.now() - this.startedAt) / 1000);
    return {
      version: `weft/${WEFT_PROXY_VERSION}`,
      state: this.phase,
      hot_restart_version: 'disabled',
      command_line_options: {
        concurrency: this.opts.concurrency ?? 1,
        drain_time: `${Math.round((this.opts.drainMs ?? 5000) / 1000)}s`,
        service_node: (this.config.bootstrap.node?.id as string | undefined) ?? '',
      },
      node: this.config.bootstrap.node ?? {},
      uptime_current_epoch: `${up}s`,
      uptime_all_epochs: `${up}s`,
      hostname: os.hostname(),
    };
  }

  state(): 'LIVE' | 'PRE_INITIALIZING' | 'INITIALIZING' | 'DRAINING' {
    return this.phase;
  }

  async drainListeners(): Promise<void> {
    this.phase = 'DRAINING';
    this.server.state.set(1);
    await this.broadcast({ kind: 'drain' });
  }

  async healthcheck(failed: boolean): Promise<void> {
    await this.broadcast({ kind: 'healthcheck', failed });
  }

  quit(): void {
    void this.stop().then(() => (this.opts.onQuit ?? (() => process.exit(0)))());
  }

  async stop(): Promise<void> {
    this.server.live.set(0);
    this.ads?.stop();
    this.secrets.stop();
    await Promise.all(this.workers.map((w) => w.stop()));
    await this.admin?.close();
  }
}

/** Route configuration names the HCMs of these listeners take from RDS. */
function rdsNames(listeners: Msg[]): string[] {
  const out = new Set<string>();
  for (const l of listeners)
    for (const fc of [
      ...((l.filter_chains ?? []) as Msg[]),
      ...(l.default_filter_chain ? [l.default_filter_chain] : []),
    ])
      for (const f of (fc.filters ?? []) as Msg[])
        if (f.typed_config?.['@type'] === HCM_URL && f.typed_config.rds?.route_config_name)
          out.add(f.typed_config.rds.route_config_name as string);
  return [...out].sort();
}

function collect(list: Msg[], parse: (m: Msg) => unknown, what: string): string[] {
  const errors: string[] = [];
  list.forEach((m, i) => {
    try {
      parse(m);
    } catch (e) {
      const name = (m.name as string | undefined) ?? String(i);
      errors.push(
        e instanceof ConfigError
          ? `${what}[${name}].${e.message}`
          : `${what}[${name}]: ${(e as Error).message}`,
      );
    }
  });
  return errors;
}

export function splitHostPort(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  if (i < 0) return ['127.0.0.1', Number(a)];
  return [a.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1', Number(a.slice(i + 1))];
}

function adminFromBootstrap(b: Msg): string | undefined {
  const sa = b.admin?.address?.socket_address;
  return sa ? `${sa.address ?? '127.0.0.1'}:${sa.port_value ?? 0}` : undefined;
}

/** ADS target from dynamic_resources.ads_config: envoy_grpc cluster (first endpoint) or google_grpc target_uri. */
function adsTarget(b: Msg): string | undefined {
  const svc = (b.dynamic_resources?.ads_config?.grpc_services ?? [])[0] as Msg | undefined;
  if (!svc) return undefined;
  if (svc.google_grpc?.target_uri) return svc.google_grpc.target_uri as string;
  const name = svc.envoy_grpc?.cluster_name as string | undefined;
  const c = ((b.static_resources?.clusters ?? []) as Msg[]).find((x) => x.name === name);
  const sa = c?.load_assignment?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address?.socket_address;
  if (!sa) throw new Error(`dynamic_resources.ads_config: cluster ${name} has no static endpoint`);
  return `${sa.address}:${sa.port_value}`;
}
