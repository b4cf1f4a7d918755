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
    // The server side reads the identities off the downstream connection, the client side off
    // the upstream one (its own certificate is then the local one).
    const server = stats.reporter === 'destination';
    const down = server ? cb.connection.ssl : undefined;
    const up = server ? undefined : info.upstreamSsl;
    const series = stats.httpSeries(
      server ? info.downstreamPeer : info.upstreamPeer,
      stats.service(info.upstreamCluster, info.routeName, cb.authority),
      (down ? down.peerUriSans[0] : up?.peerUriSan) ?? '',
      (down ? down.localUriSans[0] : up?.localUriSan) ?? '',
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
