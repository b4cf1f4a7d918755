// core.v3.TransportSocket → TLS settings or plaintext: envoy.transport_sockets.tls with a
// DownstreamTlsContext (listener filter chains) or UpstreamTlsContext (clusters), raw_buffer;
// and a cluster's transport_socket_matches, chosen per endpoint by its
// "envoy.transport_socket_match" metadata (how Istio's auto mTLS picks tlsMode=istio endpoints).
import { ConfigError, type Msg } from '../config/proto.js';
import { parseTlsContext, type TlsContextConfig } from './context-config.js';

const TLS_TYPES = {
  downstream: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  upstream: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
} as const;
const RAW_BUFFER = 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer';

/** TLS settings, or undefined for plaintext (no transport socket, or raw_buffer). */
export function parseTransportSocket(
  ts: Msg | undefined,
  side: 'downstream' | 'upstream',
  path: string,
): TlsContextConfig | undefined {
  if (!ts) return undefined;
  // An Any whose type is not loaded stays {type_url, value}; raw_buffer needs no config anyway.
  const url = (ts.typed_config?.['@type'] ?? ts.typed_config?.type_url) as string | undefined;
  if (url === RAW_BUFFER || (!url && ts.name === 'envoy.transport_sockets.raw_buffer')) return undefined;
  if (url !== TLS_TYPES[side])
    throw new ConfigError(`${path}.typed_config`, `unsupported transport socket ${url ?? ts.name}`);
  const { '@type': _t, ...ctx } = ts.typed_config as Msg;
  return parseTlsContext(ctx, side, `${path}.typed_config`);
}

export const TRANSPORT_SOCKET_MATCH = 'envoy.transport_socket_match';

export interface SocketMatch {
  name: string;
  /** Struct fields every endpoint metadata value must equal */
  fields: Msg;
  tls: TlsContextConfig | undefined;
}

export interface UpstreamTransportConfig {
  /** the cluster's transport_socket: endpoints no match selects */
  readonly fallback: TlsContextConfig | undefined;
  readonly matches: readonly SocketMatch[];
}

/** A cluster's transport sockets; undefined when every connection is plaintext. */
export function parseClusterTransport(c: Msg): UpstreamTransportConfig | undefined {
  const fallback = parseTransportSocket(c.transport_socket, 'upstream', 'transport_socket');
  const matches = ((c.transport_socket_matches ?? []) as Msg[]).map((m, i) => ({
    name: (m.name as string | undefined) ?? '',
    fields: (m.match?.fields ?? {}) as Msg,
    tls: parseTransportSocket(
      m.transport_socket,
      'upstream',
      `transport_socket_matches[${i}].transport_socket`,
    ),
  }));
  if (!fallback && matches.every((m) => !m.tls)) return undefined;
  return Object.freeze({ fallback, matches });
}

/** First match whose fields all equal the endpoint's metadata (Envoy's order), else the fallback. */
export function selectTransport(
  cfg: UpstreamTransportConfig,
  metadata: Msg | undefined,
): { name: string; tls: TlsContextConfig | undefined } {
  const have = (metadata?.filter_metadata?.[TRANSPORT_SOCKET_MATCH]?.fields ?? {}) as Msg;
  for (const m of cfg.matches)
    if (Object.entries(m.fields).every(([k, v]) => JSON.stringify(have[k]) === JSON.stringify(v)))
      return { name: m.name, tls: m.tls };
  return { name: '', tls: cfg.fallback };
}
