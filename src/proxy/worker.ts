// The data plane of one worker (Envoy worker thread): clusters, route configs and listeners,
// built from config updates the main context has already validated and ACKed. With
// --concurrency 1 the main process runs one Worker in-process; otherwise each child process does.
import { clusterView, type ClusterView } from './admin/views.js';
import type { Msg } from './config/proto.js';
import type { ProxyContext, ServerState } from './context.js';
import { parseListener } from './listener/listener-config.js';
import { ListenerManager } from './listener/listener-manager.js';
import { RouteConfigStore } from './router/rds.js';
import { StatsStore } from './stats/store.js';
import { parseCluster } from './upstream/cluster-config.js';
import { ClusterManager } from './upstream/cluster-manager.js';
import type { NamedSecret } from './tls/secret.js';
import { SecretStore } from './tls/secret-store.js';

/** One config change, as plain data (it crosses process boundaries). */
export type ConfigUpdate =
  | { kind: 'clusters'; clusters: Msg[]; static: boolean }
  | { kind: 'assignment'; cla: Msg }
  | { kind: 'listeners'; listeners: Msg[]; static: boolean }
  | { kind: 'route'; name: string; config: Msg; version: string }
  | { kind: 'secrets'; secrets: NamedSecret[] }
  | { kind: 'drain' }
  | { kind: 'healthcheck'; failed: boolean };

export class Worker {
  readonly store = new StatsStore();
  readonly clusterManager: ClusterManager;
  readonly routes = new RouteConfigStore();
  readonly listeners: ListenerManager;
  readonly state: ServerState = { healthcheckFailed: false, draining: false };
  readonly secrets = new SecretStore();
  readonly ctx: ProxyContext;

  constructor(drainMs = 5000, random: () => number = Math.random, node: Msg = {}) {
    this.clusterManager = new ClusterManager(this.store, { next: random }, this.secrets);
    this.ctx = {
      store: this.store,
      clusterManager: this.clusterManager,
      routes: this.routes,
      state: this.state,
      random,
      secrets: this.secrets,
      node,
    };
    this.listeners = new ListenerManager(this.ctx, drainMs);
  }

  async apply(u: ConfigUpdate): Promise<void> {
    switch (u.kind) {
      case 'clusters': {
        const parsed = u.clusters.map(parseCluster);
        if (u.static) this.clusterManager.addStatic(parsed);
        else this.clusterManager.applyDynamic(parsed);
        return;
      }
      case 'assignment':
        return this.clusterManager.setAssignment(u.cla);
      case 'listeners': {
        // Clusters a listener routes to should be warm before it takes traffic (bounded wait).
        await Promise.race([this.clusterManager.allWarm(), new Promise((r) => setTimeout(r, 15000).unref())]);
        const parsed = u.listeners.map((l) => parseListener(l, this.ctx));
        if (u.static) await this.listeners.addStatic(parsed);
        else await this.listeners.applyDynamic(parsed);
        return;
      }
      case 'route':
        return this.routes.set(u.name, u.config, u.version);
      case 'secrets':
        return this.secrets.set(u.secrets);
      case 'drain':
        this.state.draining = true;
        return this.listeners.drainAll();
      case 'healthcheck':
        this.state.healthcheckFailed = u.failed;
        return;
    }
  }

  clusterViews(): ClusterView[] {
    return this.clusterManager.all().map(clusterView);
  }

  /** name → bound port (ephemeral ports resolved), for /listeners */
  listenerAddresses(): { name: string; address: string; port: number }[] {
    return this.listeners
      .all()
      .map((l) => ({ name: l.config.name, address: l.config.address, port: l.boundPort() }));
  }

  async stop(): Promise<void> {
    await this.listeners.stop();
    await this.clusterManager.destroy();
  }
}
