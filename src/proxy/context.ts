// What the proxy's parts share inside one worker: stats, clusters, RDS route configurations,
// server state (health-check fail, draining), the random source and the bootstrap node.
import type { Msg } from './config/proto.js';
import type { StatsStore } from './stats/store.js';
import type { ClusterManager } from './upstream/cluster-manager.js';
import type { RouteConfigStore } from './router/rds.js';
import type { SecretStore } from './tls/secret-store.js';

export interface ServerState {
  /** POST /healthcheck/fail: Envoy's health-check filter and /ready report failure */
  healthcheckFailed: boolean;
  /** POST /drain_listeners or shutdown */
  draining: boolean;
}

export interface ProxyContext {
  readonly store: StatsStore;
  readonly clusterManager: ClusterManager;
  readonly routes: RouteConfigStore;
  readonly state: ServerState;
  readonly random: () => number;
  /** SDS secrets as the main context last published them */
  readonly secrets: SecretStore;
  /** the bootstrap's node (Envoy LocalInfo): id and metadata, e.g. for Istio's stats labels */
  readonly node: Msg;
}
