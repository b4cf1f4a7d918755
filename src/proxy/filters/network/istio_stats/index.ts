// istio.stats on a TCP filter chain (Istio's stats network filter, before tcp_proxy): counts
// connections opened and closed and the bytes each way, labelled like the HTTP metrics
// (request_protocol "tcp"). Without TCP metadata exchange a connection is labelled (and counted
// as opened) at its first report, as in Istio: when it closes or at the next reporting tick
// (tcp_reporting_duration), by which time tcp_proxy has picked its cluster and set its flags.
import type { Socket } from 'node:net';
import type { ConnectionInfo } from '../../../listener/connection.js';
import { parseStatsPluginConfig, STATS_PLUGIN_TYPE_URL } from '../../common/istio_stats/config.js';
import { IstioStats, type StatsPluginConfig, type TcpSeries } from '../../common/istio_stats/metrics.js';
import type { ListenerInfo, ReadFilter, ReadFilterFactory } from '../types.js';

interface Tracked {
  socket: Socket;
  conn: ConnectionInfo;
  series: TcpSeries | undefined;
  sent: number;
  received: number;
}

interface TcpStatsConfig {
  plugin: StatsPluginConfig;
  direction: ListenerInfo['direction'];
}

class IstioTcpStats implements ReadFilter {
  private readonly open = new Set<Tracked>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stats: IstioStats,
    private readonly reportingMs: number,
  ) {}

  onNewConnection(socket: Socket, conn: ConnectionInfo): 'continue' {
    const t: Tracked = { socket, conn, series: undefined, sent: 0, received: 0 };
    this.open.add(t);
    socket.once('close', () => {
      this.open.delete(t);
      this.report(t).closed.value++;
    });
    if (!this.timer && this.reportingMs > 0) {
      this.timer = setInterval(() => this.reportOpen(), this.reportingMs);
      this.timer.unref();
    }
    return 'continue';
  }

  /** Labels the connection on first call (opened), then adds the bytes moved since the last. */
  private report(t: Tracked): TcpSeries {
    let s = t.series;
    if (!s) {
      const stats = this.stats;
      const info = t.conn.streamInfo;
      const ssl = stats.reporter === 'destination' ? t.conn.ssl : undefined;
      s = t.series = stats.tcpSeries(
        undefined,
        stats.service(info?.upstreamCluster ?? '', '', ''),
        ssl?.peerUriSans[0] ?? '',
        ssl?.localUriSans[0] ?? '',
        info?.responseFlags ?? 0,
      );
      s.opened.value++;
    }
    const { bytesWritten, bytesRead } = t.socket;
    s.sent.value += bytesWritten - t.sent;
    s.received.value += bytesRead - t.received;
    t.sent = bytesWritten;
    t.received = bytesRead;
    return s;
  }

  private reportOpen(): void {
    for (const t of this.open) this.report(t);
    if (this.open.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

export const istioTcpStatsFilter = {
  name: 'istio.stats',
  typeUrl: STATS_PLUGIN_TYPE_URL,
  kind: 'read',
  parse: (c, path, _ctx, listener) => ({
    plugin: parseStatsPluginConfig(c, path),
    direction: listener?.direction ?? 'UNSPECIFIED',
  }),
  create: (config, ctx) =>
    new IstioTcpStats(
      new IstioStats(ctx.store, ctx.node, config.direction, config.plugin),
      config.plugin.tcpReportingMs,
    ),
} satisfies ReadFilterFactory<TcpStatsConfig>;
