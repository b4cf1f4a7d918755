// envoy.filters.network.tcp_proxy: pipes the downstream connection to a host of a cluster
// (cluster or weighted_clusters) over the cluster's transport socket (TLS when it has one), with
// connect_timeout, idle_timeout (default 1h), tcp.<prefix>.* stats and access logs (UF when the
// upstream connection or its handshake fails, UH with no host).
import type { Socket } from 'node:net';
import { parseAccessLogs, type AccessLog } from '../../../access-log/logger.js';
import { ConfigError, durationMs, type Msg } from '../../../config/proto.js';
import type { ProxyContext } from '../../../context.js';
import { StreamInfo } from '../../../http/stream-info.js';
import { formatAddress, type ConnectionInfo } from '../../../listener/connection.js';
import { makeCounters, makeGauges } from '../../../stats/store.js';
import type { NetworkFilter, NetworkFilterFactory } from '../types.js';
import { connectUpstream } from './connect.js';

export interface TcpProxyConfig {
  statPrefix: string;
  clusters: { name: string; weight: number }[];
  totalWeight: number;
  idleTimeoutMs: number;
  accessLogs: AccessLog[];
}

const COUNTERS = [
  'downstream_cx_total',
  'downstream_cx_no_route',
  'downstream_cx_rx_bytes_total',
  'downstream_cx_tx_bytes_total',
  'idle_timeout',
  'upstream_flush_total',
] as const;
const GAUGES = ['downstream_cx_active'] as const;

function parse(c: Msg, path: string): TcpProxyConfig {
  if (!c.stat_prefix) throw new ConfigError(`${path}.stat_prefix`, 'stat_prefix is required');
  let clusters: { name: string; weight: number }[];
  if (c.cluster) clusters = [{ name: c.cluster, weight: 1 }];
  else if (c.weighted_clusters?.clusters?.length)
    clusters = (c.weighted_clusters.clusters as Msg[]).map((w) => ({
      name: w.name,
      weight: Number(w.weight ?? 0),
    }));
  else throw new ConfigError(path, 'one of cluster or weighted_clusters is required');
  const idle = durationMs(c.idle_timeout);
  return {
    statPrefix: c.stat_prefix,
    clusters,
    totalWeight: clusters.reduce((a, w) => a + w.weight, 0),
    idleTimeoutMs: idle ?? 3600_000,
    accessLogs: parseAccessLogs(c.access_log, `${path}.access_log`),
  };
}

class TcpProxy implements NetworkFilter {
  private readonly stats;
  private readonly gauges;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly cfg: TcpProxyConfig,
    private readonly ctx: ProxyContext,
  ) {
    const scope = ctx.store.scope(`tcp.${cfg.statPrefix}`, [['envoy_tcp_prefix', cfg.statPrefix]], 'tcp');
    this.stats = makeCounters(scope, COUNTERS);
    this.gauges = makeGauges(scope, GAUGES);
  }

  routeConfigNames(): string[] {
    return [];
  }

  private pick(): string {
    if (this.cfg.clusters.length === 1) return this.cfg.clusters[0]!.name;
    let r = Math.floor(this.ctx.random() * this.cfg.totalWeight);
    for (const c of this.cfg.clusters) {
      if (r < c.weight) return c.name;
      r -= c.weight;
    }
    return this.cfg.clusters[this.cfg.clusters.length - 1]!.name;
  }

  onConnection(down: Socket, conn: ConnectionInfo): void {
    this.stats.downstream_cx_total.value++;
    this.gauges.downstream_cx_active.value++;
    this.sockets.add(down);
    const info = new StreamInfo('-');
    info.downstreamRemoteAddress = formatAddress(conn.remoteAddress, conn.remotePort);
    info.downstreamLocalAddress = formatAddress(conn.localAddress, conn.localPort);
    info.requestedServerName = conn.serverName;
    info.downstreamSsl = conn.ssl;
    conn.streamInfo = info;
    const name = this.pick();
    info.upstreamCluster = name;
    let logged = false;
    const done = (): void => {
      if (logged) return;
      logged = true;
      this.sockets.delete(down);
      this.gauges.downstream_cx_active.value--;
      info.bytesReceived = down.bytesRead;
      info.bytesSent = down.bytesWritten;
      this.stats.downstream_cx_rx_bytes_total.value += down.bytesRead;
      this.stats.downstream_cx_tx_bytes_total.value += down.bytesWritten;
      info.endNs = process.hrtime.bigint();
      for (const l of this.cfg.accessLogs) l.log(info);
    };
    down.once('close', done);
    down.on('error', () => down.destroy());
    const cluster = this.ctx.clusterManager.get(name);
    if (!cluster) {
      this.stats.downstream_cx_no_route.value++;
      info.setFlag('NC');
      return void down.destroy();
    }
    const host = cluster.chooseHost({
      originalDst: conn.originalDst ?? { address: conn.localAddress, port: conn.localPort },
    });
    if (!host) {
      cluster.stats.upstream_cx_none_healthy.value++;
      info.setFlag('UH');
      return void down.destroy();
    }
    info.upstreamHost = host.key;
    cluster.stats.upstream_cx_total.value++;
    host.cxTotal++;
    const connectFailed = (): void => {
      info.setFlag('UF');
      cluster.stats.upstream_cx_connect_fail.value++;
      host.cxConnectFail++;
      down.destroy();
    };
    // The cluster's transport socket for this host: Istio's mTLS between sidecars for TCP too.
    connectUpstream(host, cluster.tlsFor(host), cluster.config.connectTimeoutMs, (err, up) => {
      if (err || !up) return connectFailed();
      if (down.destroyed) return void up.destroy();
      cluster.gauges.upstream_cx_active.value++;
      host.cxActive++;
      up.once('close', () => {
        cluster.gauges.upstream_cx_active.value--;
        host.cxActive--;
        cluster.stats.upstream_cx_destroy.value++;
        down.destroy();
      });
      up.on('error', () => up.destroy());
      down.once('close', () => up.destroy());
      down.pipe(up);
      up.pipe(down);
      down.resume();
      const idle = this.cfg.idleTimeoutMs;
      if (idle > 0) {
        // Envoy counts idleness across both directions; either side's activity resets it.
        const onIdle = (): void => {
          this.stats.idle_timeout.value++;
          down.destroy();
        };
        down.setTimeout(idle, () => (up.timeout !== undefined ? undefined : onIdle()));
        up.setTimeout(idle, onIdle);
      }
    });
  }

  async drain(): Promise<void> {
    // TCP connections have no protocol-level drain: they finish on their own.
    while (this.sockets.size) await new Promise((r) => setTimeout(r, 100));
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
  }
}

export const tcpProxyFilter = {
  name: 'envoy.filters.network.tcp_proxy',
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  parse: (c, path) => parse(c, path),
  create: (config, ctx) => new TcpProxy(config, ctx),
} satisfies NetworkFilterFactory<TcpProxyConfig>;
