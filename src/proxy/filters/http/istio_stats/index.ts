// istio.stats (Istio's stats filter, HTTP): when a stream completes, counts it in
// istio_requests_total and records its duration and sizes, labelled with the reporter, both
// workloads (the peer from istio.metadata_exchange), the mTLS principals and the service.
import { isGrpcRequest } from '../../../http/local-reply.js';
import { parseStatsPluginConfig, STATS_PLUGIN_TYPE_URL } from '../../common/istio_stats/config.js';
import { IstioStats, type StatsPluginConfig } from '../../common/istio_stats/metrics.js';
import type { FilterCallbacks, HttpFilter, HttpFilterFactory } from '../types.js';

function grpcStatus(cb: FilterCallbacks): number | undefined {
  const v = cb.info.responseTrailers.get('grpc-status') ?? cb.info.responseHeaders.get('grpc-status');
  return v === undefined ? undefined : Number(v);
}

class IstioStatsFilter implements HttpFilter {
  constructor(private readonly stats: IstioStats) {}

  log(cb: FilterCallbacks): void {
    const stats = this.stats;
    const info = cb.info;
    const grpc = isGrpcRequest(cb.requestHeaders.get('content-type'));
    // The server side reads its peer's identity off the downstream connection; the client side
    // does not see its upstream's certificate here, so those principals stay unknown.
    const ssl = stats.reporter === 'destination' ? cb.connection.ssl : undefined;
    const series = stats.httpSeries(
      stats.reporter === 'destination' ? info.downstreamPeer : info.upstreamPeer,
      stats.service(info.upstreamCluster, info.routeName, cb.authority),
      ssl?.peerUriSans[0] ?? '',
      ssl?.localUriSans[0] ?? '',
      info.responseCode,
      info.responseFlags,
      grpc,
      grpc ? grpcStatus(cb) : undefined,
    );
    series.requests.value++;
    series.duration.record(info.durationMs());
    series.requestBytes.record(info.bytesReceived);
    series.responseBytes.record(info.bytesSent);
  }
}

export const istioStatsFilter = {
  name: 'istio.stats',
  typeUrl: STATS_PLUGIN_TYPE_URL,
  parse: (c, path) => parseStatsPluginConfig(c, path),
  create: (config, ctx) => {
    const stats = new IstioStats(ctx.scope.store, ctx.node, ctx.direction, config);
    const filter = new IstioStatsFilter(stats);
    // Stateless per request: one instance serves every stream of the connection manager.
    return () => filter;
  },
} satisfies HttpFilterFactory<StatsPluginConfig>;
