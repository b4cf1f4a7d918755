// What a downstream connection knows about itself; filled by listener filters (original_dst,
// tls_inspector, http_inspector) and read by filter-chain matching and network filters.
import type { Socket } from 'node:net';
import type { StreamInfo } from '../http/stream-info.js';
import type { SslInfo } from '../tls/ssl-info.js';

export interface ConnectionInfo {
  remoteAddress: string;
  remotePort: number;
  /** the destination the client addressed (restored by original_dst) */
  localAddress: string;
  localPort: number;
  /** set when original_dst restored a destination different from the listening socket */
  originalDst: { address: string; port: number } | undefined;
  /** 'tls' when tls_inspector saw a ClientHello, else 'raw_buffer' */
  transportProtocol: string;
  serverName: string;
  /** ALPN from the ClientHello, or ['http/1.1'] / ['h2c'] from http_inspector */
  applicationProtocols: string[];
  /** the listener that accepted the socket (after use_original_dst hand-off, the target) */
  listenerName: string;
  /** set once the filter chain's transport socket terminated TLS (Envoy connection.ssl()) */
  ssl?: SslInfo;
  /** dynamic metadata by filter namespace (network RBAC's shadow result → ext_authz); made on first write */
  dynamicMetadata?: Map<string, Record<string, unknown>>;
  /** the connection's stream info, for L4 terminal filters (tcp_proxy): cluster, flags */
  streamInfo?: StreamInfo;
}

/** Merges fields into a namespace of the connection's dynamic metadata, as Envoy's setDynamicMetadata does. */
export function setConnectionMetadata(c: ConnectionInfo, ns: string, fields: Record<string, unknown>): void {
  c.dynamicMetadata ??= new Map();
  c.dynamicMetadata.set(ns, { ...c.dynamicMetadata.get(ns), ...fields });
}

const CONN = Symbol('weft.connection');

export function attachConnection(socket: Socket, c: ConnectionInfo): void {
  (socket as unknown as Record<symbol, ConnectionInfo>)[CONN] = c;
}

export function connectionOf(socket: unknown): ConnectionInfo | undefined {
  return (socket as Record<symbol, ConnectionInfo> | undefined)?.[CONN];
}

function stripV4Mapped(a: string | undefined): string {
  return a?.startsWith('::ffff:') ? a.slice(7) : (a ?? '');
}

export function newConnectionInfo(socket: Socket, listenerName: string): ConnectionInfo {
  return {
    remoteAddress: stripV4Mapped(socket.remoteAddress),
    remotePort: socket.remotePort ?? 0,
    localAddress: stripV4Mapped(socket.localAddress),
    localPort: socket.localPort ?? 0,
    originalDst: undefined,
    transportProtocol: 'raw_buffer',
    serverName: '',
    applicationProtocols: [],
    listenerName,
  };
}

export function formatAddress(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
