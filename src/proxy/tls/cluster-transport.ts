// A cluster's upstream TLS per endpoint: the transport socket transport_socket_matches selects for
// the endpoint's metadata (one UpstreamTls per match, shared by its hosts' pools).
import type { Msg } from '../config/proto.js';
import type { SecretStore } from './secret-store.js';
import { selectTransport, type UpstreamTransportConfig } from './transport-socket.js';
import { UpstreamTls } from './upstream.js';

/** The cache key of endpoints without metadata. */
const NO_METADATA: Msg = {};

export class ClusterTransport {
  private readonly byMatch = new Map<string, UpstreamTls | undefined>();
  /** Endpoint metadata (fixed per host) → its TLS: the router asks once per request. */
  private readonly byMetadata = new WeakMap<Msg, UpstreamTls | undefined>();

  constructor(
    private readonly config: UpstreamTransportConfig,
    private readonly secrets: SecretStore,
    private readonly http2: boolean,
  ) {}

  /** The TLS an endpoint's connections use, or undefined for plaintext. */
  forEndpoint(metadata: Msg | undefined): UpstreamTls | undefined {
    const key = metadata ?? NO_METADATA;
    if (this.byMetadata.has(key)) return this.byMetadata.get(key);
    const { name, tls } = selectTransport(this.config, metadata);
    if (!this.byMatch.has(name))
      this.byMatch.set(name, tls && new UpstreamTls(tls, this.secrets, this.http2));
    const chosen = this.byMatch.get(name);
    this.byMetadata.set(key, chosen);
    return chosen;
  }
}
