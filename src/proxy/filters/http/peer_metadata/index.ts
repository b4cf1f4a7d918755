// istio.metadata_exchange (Istio's peer_metadata filter, io.istio.http.peer_metadata.Config):
// workloads tell each other who they are in x-envoy-peer-metadata(-id) headers. Discovery reads
// the peer's headers (request headers from downstream, response headers from upstream), keeps
// the decoded metadata for istio.stats and removes them, so neither app nor client sees them;
// propagation adds this workload's own (to upstream requests; to downstream responses only
// when the downstream sent its own, as Istio does).
import { ConfigError, type Msg } from '../../../config/proto.js';
import type { HeaderMap } from '../../../http/header-map.js';
import {
  decodePeerMetadata,
  encodePeerMetadata,
  localWorkload,
} from '../../common/istio_stats/workload-metadata.js';
import type { FilterCallbacks, FilterHeadersStatus, HttpFilter, HttpFilterFactory } from '../types.js';

const PEER_METADATA_HEADER = 'x-envoy-peer-metadata';
const PEER_METADATA_ID_HEADER = 'x-envoy-peer-metadata-id';

export interface PeerMetadataConfig {
  downstreamDiscovery: boolean;
  upstreamDiscovery: boolean;
  downstreamPropagation: boolean;
  upstreamPropagation: boolean;
}

const FIELDS = [
  'downstream_discovery',
  'upstream_discovery',
  'downstream_propagation',
  'upstream_propagation',
];

/**
 * Each list holds methods: istio_headers is the header exchange; workload_discovery (ambient's
 * WDS lookup by peer address) finds nothing without a workload metadata provider, as in Istio.
 */
function parse(c: Msg, path: string): PeerMetadataConfig {
  for (const k of Object.keys(c))
    if (!FIELDS.includes(k) && k !== 'shared_with_upstream')
      throw new ConfigError(`${path}.${k}`, 'not supported by Weft');
  const uses = (field: string, allowed: readonly string[]): boolean =>
    ((c[field] ?? []) as Msg[])
      .map((m, i) => {
        const kind = Object.keys(m)[0] ?? '';
        if (!allowed.includes(kind))
          throw new ConfigError(`${path}.${field}[${i}]`, `unsupported method ${kind}`);
        return kind;
      })
      .includes('istio_headers');
  const discovery = ['istio_headers', 'workload_discovery'];
  return {
    downstreamDiscovery: uses('downstream_discovery', discovery),
    upstreamDiscovery: uses('upstream_discovery', discovery),
    downstreamPropagation: uses('downstream_propagation', ['istio_headers']),
    upstreamPropagation: uses('upstream_propagation', ['istio_headers']),
  };
}

interface Shared {
  readonly config: PeerMetadataConfig;
  /** this workload's header values, encoded once per filter config */
  readonly id: string;
  readonly value: string;
}

class PeerMetadataFilter implements HttpFilter {
  /** the downstream sent its metadata, so it is told ours in the response */
  private peerSentId = false;
  private peerSentValue = false;

  constructor(private readonly s: Shared) {}

  decodeHeaders(cb: FilterCallbacks): FilterHeadersStatus {
    const { config, id, value } = this.s;
    const h = cb.requestHeaders;
    if (config.downstreamDiscovery) {
      const v = h.get(PEER_METADATA_HEADER);
      this.peerSentId = h.has(PEER_METADATA_ID_HEADER);
      this.peerSentValue = v !== undefined;
      if (v) cb.info.downstreamPeer = decodePeerMetadata(v);
      if (this.peerSentId || this.peerSentValue) strip(h);
    }
    if (config.upstreamPropagation) {
      h.set(PEER_METADATA_ID_HEADER, id);
      h.set(PEER_METADATA_HEADER, value);
    }
    return 'continue';
  }

  encodeHeaders(cb: FilterCallbacks, _status: number, h: HeaderMap): void {
    const { config, id, value } = this.s;
    if (config.upstreamDiscovery) {
      const v = h.get(PEER_METADATA_HEADER);
      if (v) cb.info.upstreamPeer = decodePeerMetadata(v);
      if (v !== undefined || h.has(PEER_METADATA_ID_HEADER)) strip(h);
    }
    if (config.downstreamPropagation) {
      if (this.peerSentId) h.set(PEER_METADATA_ID_HEADER, id);
      if (this.peerSentValue) h.set(PEER_METADATA_HEADER, value);
    }
  }
}

/** Only when present: deleting from Node's header object is not free. */
function strip(h: HeaderMap): void {
  h.remove(PEER_METADATA_ID_HEADER);
  h.remove(PEER_METADATA_HEADER);
}

export const peerMetadataFilter = {
  name: 'istio.metadata_exchange',
  typeUrl: 'type.googleapis.com/io.istio.http.peer_metadata.Config',
  parse,
  create: (config, ctx) => {
    const shared: Shared = {
      config,
      id: String(ctx.node.id ?? ''),
      value: encodePeerMetadata(localWorkload(ctx.node)),
    };
    return () => new PeerMetadataFilter(shared);
  },
} satisfies HttpFilterFactory<PeerMetadataConfig>;
