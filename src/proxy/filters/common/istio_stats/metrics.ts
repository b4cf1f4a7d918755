// Istio's standard metrics (istio_requests_total, istio_request_duration_milliseconds,
// istio_request_bytes, istio_response_bytes, istio_tcp_*) in the stats store, under Envoy's
// custom stat namespace `istiocustom` (rendered to Prometheus without the envoy_ prefix).
// A request finds its series through maps keyed by values that repeat (the peer object, the
// service object, the principals, a number packing code/flags/gRPC status): labels are computed
// and stats created only the first time a combination is seen.
import { structToPlain, type Msg } from '../../../config/proto.js';
import { formatFlags } from '../../../http/stream-info.js';
import { ISTIO_STAT_NAMESPACE } from '../../../stats/render.js';
import type { Counter, Histogram, StatsStore, Tags } from '../../../stats/store.js';
import type { ListenerInfo } from '../../network/types.js';
import {
  istioLabels,
  serviceOfCluster,
  SPECIAL_CLUSTERS,
  type DestinationService,
  type LabelInput,
  type Reporter,
} from './labels.js';
import { workloadFromMetadata, type WorkloadMetadata } from './workload-metadata.js';

export interface HttpSeries {
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly requestBytes: Histogram;
  readonly responseBytes: Histogram;
}

export interface TcpSeries {
  readonly opened: Counter;
  readonly closed: Counter;
  readonly sent: Counter;
  readonly received: Counter;
}

/** stats.PluginConfig, the fields Weft acts on. */
export interface StatsPluginConfig {
  /** inbound and gateway listeners: the destination service comes from the cluster only */
  disableHostHeaderFallback: boolean;
  /** SERVER_GATEWAY (ambient waypoints) is not supported; UNSPECIFIED follows the listener */
  reporter: 'UNSPECIFIED';
  /** how often open TCP connections report their byte counts (Istio's default 5s) */
  tcpReportingMs: number;
}

const NO_PEER = {} as WorkloadMetadata;
const MAX_HOSTS = 1000;
const newMap = <K, V>(): Map<K, V> => new Map<K, V>();

function child<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

type Level<T> = Map<WorkloadMetadata, Map<DestinationService, Map<string, Map<string, Map<number, T>>>>>;

/** One reporter's view (one per filter config): its labels' constant part and series caches. */
export class IstioStats {
  readonly reporter: Reporter;
  readonly local: WorkloadMetadata;
  private readonly http = new Map() as Level<HttpSeries>;
  private readonly tcp = new Map() as Level<TcpSeries>;
  private readonly byCluster = new Map<string, DestinationService | null>();
  private readonly byHost = new Map<string, Map<string, DestinationService>>();

  constructor(
    private readonly store: StatsStore,
    node: Msg,
    direction: ListenerInfo['direction'],
    readonly config: StatsPluginConfig,
  ) {
    // Istio infers the reporter from the listener: inbound is the server side, everything else
    // (sidecar outbound, gateways) the client side.
    this.reporter = direction === 'INBOUND' ? 'destination' : 'source';
    const metadata = structToPlain(node.metadata);
    this.local = workloadFromMetadata(metadata);
    this.gauge('istio_build', [
      ['component', 'proxy'],
      ['tag', typeof metadata.ISTIO_VERSION === 'string' ? metadata.ISTIO_VERSION : 'unknown'],
    ]).set(1);
  }

  /** destination_service(_name) from the route/cluster, else the Host header where allowed. */
  service(cluster: string, routeName: string, authority: string): DestinationService {
    const special =
      routeName === 'block_all' ? 'BlackHoleCluster' : routeName === 'allow_any' ? 'PassthroughCluster' : '';
    if (!special) {
      let s = this.byCluster.get(cluster);
      if (s === undefined) this.byCluster.set(cluster, (s = serviceOfCluster(cluster) ?? null));
      if (s) return s;
    }
    const name = special || (SPECIAL_CLUSTERS.has(cluster) ? cluster : '');
    const host = this.config.disableHostHeaderFallback ? '' : authority;
    const hosts = child(this.byHost, name, newMap<string, DestinationService>);
    let s = hosts.get(host);
    if (!s) {
      if (hosts.size >= MAX_HOSTS) hosts.clear(); // Host headers are the client's to choose
      hosts.set(host, (s = { host, name: name || host }));
    }
    return s;
  }

  httpSeries(
    peer: WorkloadMetadata | undefined,
    service: DestinationService,
    peerSan: string,
    localSan: string,
    code: number,
    flags: number,
    grpc: boolean,
    grpcStatus: number | undefined,
  ): HttpSeries {
    const g = grpc ? (grpcStatus === undefined ? 1 : grpcStatus + 2) : 0;
    const key = (flags * 1024 + code) * 64 + g;
    const bySeries = this.level(this.http, peer, service, peerSan, localSan);
    let s = bySeries.get(key);
    if (!s) {
      const tags = istioLabels({
        ...this.base(peer, service, peerSan, localSan, flags),
        protocol: grpc ? 'grpc' : 'http',
        responseCode: code,
        grpcStatus,
      });
      s = {
        requests: this.counter('istio_requests_total', tags),
        duration: this.histogram('istio_request_duration_milliseconds', tags),
        requestBytes: this.histogram('istio_request_bytes', tags),
        responseBytes: this.histogram('istio_response_bytes', tags),
      };
      bySeries.set(key, s);
    }
    return s;
  }

  tcpSeries(
    peer: WorkloadMetadata | undefined,
    service: DestinationService,
    peerSan: string,
    localSan: string,
    flags: number,
  ): TcpSeries {
    const bySeries = this.level(this.tcp, peer, service, peerSan, localSan);
    let s = bySeries.get(flags);
    if (!s) {
      const tags = istioLabels({ ...this.base(peer, service, peerSan, localSan, flags), protocol: 'tcp' });
      s = {
        opened: this.counter('istio_tcp_connections_opened_total', tags),
        closed: this.counter('istio_tcp_connections_closed_total', tags),
        sent: this.counter('istio_tcp_sent_bytes_total', tags),
        received: this.counter('istio_tcp_received_bytes_total', tags),
      };
      bySeries.set(flags, s);
    }
    return s;
  }

  private level<T>(
    root: Level<T>,
    peer: WorkloadMetadata | undefined,
    service: DestinationService,
    peerSan: string,
    localSan: string,
  ): Map<number, T> {
    const byService = child(
      root,
      peer ?? NO_PEER,
      newMap<DestinationService, Map<string, Map<string, Map<number, T>>>>,
    );
    const byPeerSan = child(byService, service, newMap<string, Map<string, Map<number, T>>>);
    return child(child(byPeerSan, peerSan, newMap<string, Map<number, T>>), localSan, newMap<number, T>);
  }

  private base(
    peer: WorkloadMetadata | undefined,
    service: DestinationService,
    peerSan: string,
    localSan: string,
    flags: number,
  ): Omit<LabelInput, 'protocol'> {
    return {
      reporter: this.reporter,
      local: this.local,
      peer,
      peerSan,
      localSan,
      service,
      responseFlags: formatFlags(flags),
    };
  }

  private name(metric: string, tags: Tags): string {
    let n = `${ISTIO_STAT_NAMESPACE}.${metric}`;
    for (const [k, v] of tags) n += `.${k}.${v}`;
    return n;
  }

  private counter(metric: string, tags: Tags): Counter {
    return this.store.counter(this.name(metric, tags), `${ISTIO_STAT_NAMESPACE}.${metric}`, tags);
  }

  private histogram(metric: string, tags: Tags): Histogram {
    return this.store.histogram(this.name(metric, tags), `${ISTIO_STAT_NAMESPACE}.${metric}`, tags);
  }

  private gauge(metric: string, tags: Tags): ReturnType<StatsStore['gauge']> {
    return this.store.gauge(this.name(metric, tags), `${ISTIO_STAT_NAMESPACE}.${metric}`, tags);
  }
}
