// Connection pool contract shared by the HTTP/1.1 (undici) and HTTP/2 (node:http2) pools.
// The router's upstream request object implements UpstreamHandler itself (no per-request closures).
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { UpstreamTls } from '../../tls/upstream.js';

/** Envoy's stream reset reasons, as they appear in local-reply bodies. */
export type ResetReason =
  | 'connection failure'
  | 'connection termination'
  | 'remote reset'
  | 'local reset'
  | 'overflow'
  | 'protocol error';

export interface UpstreamRequestSpec {
  method: string;
  path: string;
  /** :authority / Host to send */
  authority: string;
  /** flat [name, value, …], lowercase names, hop-by-hop headers already removed */
  headers: string[];
  body: Readable | null;
  /** WebSocket (or other) upgrade token */
  upgrade?: string;
}

export interface UpstreamHandler {
  /** endStream: the response has no body (HTTP/2 HEADERS with END_STREAM) */
  onHeaders(status: number, headers: IncomingHttpHeaders, endStream: boolean): void;
  /** false → the pool pauses until resume() */
  onData(chunk: Buffer): boolean;
  onEnd(trailers: IncomingHttpHeaders | undefined): void;
  onError(reason: ResetReason, err: Error): void;
  onUpgrade(status: number, headers: IncomingHttpHeaders, socket: Duplex): void;
}

export interface UpstreamStream {
  resume(): void;
  abort(): void;
}

/** Connection lifecycle events, so cluster and host stats (and outlier detection) can observe. */
export interface PoolObserver {
  onConnect(): void;
  onDisconnect(): void;
  onConnectFail(): void;
}

export interface ConnPool {
  request(spec: UpstreamRequestSpec, handler: UpstreamHandler): UpstreamStream;
  /** Stop taking requests; close once idle (cluster/host removal, config swap). */
  drain(): Promise<void>;
}

export interface PoolOptions {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxRequestsPerConnection: number | undefined;
  maxConnections: number | undefined;
  /** TLS to the host (the cluster's transport socket); undefined = plaintext */
  transport?: UpstreamTls;
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CONNECT',
  // a TLS handshake that did not complete (Envoy: connection failure, flag UF)
  'ERR_UPSTREAM_TLS_HANDSHAKE',
]);

export function classifyError(err: Error & { code?: string }): ResetReason {
  if (err.code && CONNECT_FAILURES.has(err.code)) return 'connection failure';
  if (err.code === 'UND_ERR_ABORTED') return 'local reset';
  if (err.code === 'ERR_HTTP2_STREAM_ERROR') return 'remote reset';
  if (err.code === 'HPE_INVALID_CONSTANT' || err.code?.startsWith('HPE_')) return 'protocol error';
  return 'connection termination';
}
