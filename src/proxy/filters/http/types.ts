// The HTTP filter contract (Envoy StreamDecoderFilter/StreamEncoderFilter, headers-only so far):
// a factory parses typed config once per HCM; a filter instance lives for one request. Filters
// may stop decoding (local reply, or async work then continueDecoding()) and see response headers.
import type { Socket } from 'node:net';
import type { Msg } from '../../config/proto.js';
import type { HeaderMap, HeaderValue } from '../../http/header-map.js';
import type { ResponseFlag, StreamInfo } from '../../http/stream-info.js';
import type { ConnectionInfo } from '../../listener/connection.js';
import type { MatchRequest } from '../../router/match/request.js';
import type { Route } from '../../router/route-config.js';
import type { Scope } from '../../stats/store.js';
import type { ClusterManager } from '../../upstream/cluster-manager.js';
import type { ListenerInfo } from '../network/types.js';

export type FilterHeadersStatus = 'continue' | 'stop';

/** The request as filters see it (Envoy StreamDecoderFilterCallbacks). */
export interface FilterCallbacks extends MatchRequest {
  readonly info: StreamInfo;
  readonly connection: ConnectionInfo;
  readonly requestHeaders: HeaderMap;
  method: string;
  /** :path including the query; filters may rewrite it (then call clearRouteCache) */
  path: string;
  authority: string;
  readonly scheme: string;
  /** the cached route; resolved on first call */
  route(): Route | undefined;
  clearRouteCache(): void;
  /** this filter's typed_per_filter_config from the route (most specific level) */
  perFilterConfig<T>(filterName: string): T | undefined;
  /** ends the request with a local reply (gRPC-aware); later filters do not run */
  sendLocalReply(status: number, body: string, flag?: ResponseFlag, details?: string): void;
  /** resumes the decode chain after a filter returned 'stop' */
  continueDecoding(): void;
  readonly clusterManager: ClusterManager;

  // Producing a response (the terminal filter, or a filter answering itself):
  /** the request body, null when the request has none */
  readonly body: NodeJS.ReadableStream | null;
  /** HTTP/1.1 Upgrade requests: the raw downstream socket and bytes read past the headers */
  readonly upgradeSocket?: Socket;
  readonly upgradeHead?: Buffer;
  /** endStream: headers-only response (e.g. gRPC trailers-only) */
  encodeHeaders(status: number, headers: HeaderMap, endStream?: boolean): void;
  /** false when the downstream buffer is full: wait for onDrain */
  encodeData(chunk: Buffer): boolean;
  onDrain(cb: () => void): void;
  encodeTrailers(trailers: Record<string, HeaderValue>): void;
  endResponse(body?: string): void;
  resetStream(): void;
  /** set by whoever holds upstream resources: called when the downstream goes away or times out */
  onDownstreamReset: (() => void) | undefined;
}

export interface HttpFilter {
  decodeHeaders?(cb: FilterCallbacks): FilterHeadersStatus;
  /** response headers on their way out, in reverse filter order; may mutate */
  encodeHeaders?(cb: FilterCallbacks, status: number, headers: HeaderMap): void;
  /** the request finished or was reset: release timers, cancel calls */
  onDestroy?(): void;
  /**
   * The stream is complete (after onDestroy), called for every filter even if decoding never
   * reached it, as Envoy calls a filter registered as an access-log handler (Istio's stats).
   */
  log?(cb: FilterCallbacks): void;
}

/** Shared by every stream of one HCM: stats scope, cluster manager, node, listener direction. */
export interface FilterFactoryContext {
  /** http.<stat_prefix>. */
  readonly scope: Scope;
  readonly clusterManager: ClusterManager;
  /** the bootstrap node (id, metadata) */
  readonly node: Msg;
  readonly direction: ListenerInfo['direction'];
}

export interface HttpFilterFactory<C = unknown> {
  /** canonical Envoy name, e.g. envoy.filters.http.router */
  readonly name: string;
  readonly typeUrl: string;
  /** type URLs accepted in typed_per_filter_config (often the same message) */
  readonly perRouteTypeUrls?: readonly string[];
  /** the terminal filter (router) must be last */
  readonly terminal?: boolean;
  parse(config: Msg, path: string): C;
  parsePerRoute?(config: Msg, path: string): unknown;
  /** called once per HCM; the returned function makes one filter per request */
  create(config: C, ctx: FilterFactoryContext): () => HttpFilter;
}
