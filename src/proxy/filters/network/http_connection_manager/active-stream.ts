// One request through the connection manager (Envoy ActiveStream): request headers → decode
// filter chain (router last) → response headers through encode filters in reverse → body →
// access log and stats. Also the MatchRequest that route matching reads.
import { randomUUID } from 'node:crypto';
import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { HeaderMap, type HeaderValue } from '../../../http/header-map.js';
import { authorityIsValid } from '../../../http/host.js';
import { BODY, grpcMessageEncode, httpToGrpcStatus, isGrpcRequest } from '../../../http/local-reply.js';
import { StreamInfo, type ResponseFlag } from '../../../http/stream-info.js';
import { bestPrefix } from '../../../listener/cidr.js';
import type { ConnectionInfo } from '../../../listener/connection.js';
import { formatAddress } from '../../../listener/connection.js';
import type { MatchRequest } from '../../../router/match/request.js';
import type { Route } from '../../../router/route-config.js';
import type { ClusterManager } from '../../../upstream/cluster-manager.js';
import type { FilterCallbacks, HttpFilter } from '../../http/types.js';
import type { ConnectionManager } from './connection-manager.js';
import { normalizeHost } from './host-normalization.js';
import { normalizeRequestPath } from './path-normalization.js';
import { mutateXfcc } from './xfcc.js';

/** The downstream side a stream writes its response to: a Node (h1/h2) response or a raw socket. */
export interface Responder {
  readonly headersSent: boolean;
  writeHead(status: number, headers: Record<string, HeaderValue>): unknown;
  write(chunk: Buffer): boolean;
  addTrailers(t: Record<string, HeaderValue>): void;
  end(body?: string | Buffer): unknown;
  once(ev: 'drain', cb: () => void): unknown;
}

/** Headers only trusted from internal peers (Envoy's internal-only x-envoy-* set). */
const INTERNAL_ONLY_HEADERS = [
  'x-envoy-decorator-operation',
  'x-envoy-downstream-service-cluster',
  'x-envoy-downstream-service-node',
  'x-envoy-expected-rq-timeout-ms',
  'x-envoy-external-address',
  'x-envoy-force-trace',
  'x-envoy-hedge-on-per-try-timeout',
  'x-envoy-internal',
  'x-envoy-ip-tags',
  'x-envoy-max-retries',
  'x-envoy-original-path',
  'x-envoy-retriable-header-names',
  'x-envoy-retriable-status-codes',
  'x-envoy-retry-grpc-on',
  'x-envoy-retry-on',
  'x-envoy-upstream-alt-stat-name',
  'x-envoy-upstream-rq-per-try-timeout-ms',
  'x-envoy-upstream-rq-timeout-alt-response',
  'x-envoy-upstream-rq-timeout-ms',
];

const RESPONSE_HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

export class ActiveStream implements FilterCallbacks, MatchRequest {
  readonly info: StreamInfo;
  readonly requestHeaders: HeaderMap;
  method: string;
  path: string;
  authority: string;
  readonly scheme: string;
  readonly clusterManager: ClusterManager;
  private readonly filters: HttpFilter[];
  private decodeIndex = 0;
  private cachedRoute: Route | undefined | null = null;
  /** the request is finished from our side (local reply sent or response ended) */
  done = false;
  private destroyed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  /** set by the router: aborts the upstream side when the downstream goes away */
  onDownstreamReset: (() => void) | undefined;

  constructor(
    readonly hcm: ConnectionManager,
    readonly connection: ConnectionInfo,
    protocol: string,
    method: string,
    path: string,
    authority: string,
    headers: HeaderMap,
    readonly body: NodeJS.ReadableStream | null,
    readonly responder: Responder,
    /** for upgrades: the raw downstream socket and bytes read past the headers */
    readonly upgradeSocket?: Socket,
    readonly upgradeHead?: Buffer,
  ) {
    const cfg = hcm.config;
    this.clusterManager = hcm.ctx.clusterManager;
    this.info = new StreamInfo(protocol);
    this.method = method;
    this.path = path;
    this.authority = authority;
    this.requestHeaders = headers;
    this.scheme = connection.transportProtocol === 'tls' ? 'https' : 'http';
    const info = this.info;
    info.method = method;
    info.path = path;
    info.authority = authority;
    info.requestHeaders = headers;
    info.downstreamRemoteAddress = formatAddress(connection.remoteAddress, connection.remotePort);
    info.downstreamDirectRemoteAddress = info.downstreamRemoteAddress;
    info.downstreamLocalAddress = formatAddress(connection.localAddress, connection.localPort);
    info.requestedServerName = connection.serverName;
    info.downstreamSsl = connection.ssl;
    const cl = headers.get('content-length');
    if (cl) info.bytesReceived = Number(cl) || 0;
    this.mutateRequestHeaders();
    this.filters = hcm.filterFactories.map((f) => f());
    if (cfg.streamIdleTimeoutMs > 0)
      this.idleTimer = setTimeout(() => this.onIdleTimeout(), cfg.streamIdleTimeoutMs);
    if (cfg.requestTimeoutMs > 0 && body) {
      this.requestTimer = setTimeout(() => this.onRequestTimeout(), cfg.requestTimeoutMs);
      body.once('end', () => clearTimeout(this.requestTimer));
    }
  }

  /**
   * Envoy's request header sanitizing (ConnectionManagerUtility): x-request-id, and with
   * use_remote_address x-forwarded-for/-proto, x-envoy-internal for internal peers, and for
   * external peers x-envoy-external-address plus removal of the x-envoy-* control headers.
   */
  private mutateRequestHeaders(): void {
    const cfg = this.hcm.config;
    const h = this.requestHeaders;
    // Only use_remote_address consults the peer's internal-ness: skip the check otherwise.
    const internal = cfg.useRemoteAddress && this.isInternal();
    if (cfg.useRemoteAddress) {
      const peer = this.connection.remoteAddress;
      if (!cfg.skipXffAppend) {
        const xff = h.get('x-forwarded-for');
        h.set('x-forwarded-for', xff ? `${xff},${peer}` : peer);
      }
      h.set('x-forwarded-proto', this.scheme);
      if (internal) h.set('x-envoy-internal', 'true');
      else {
        for (const n of INTERNAL_ONLY_HEADERS) h.remove(n);
        h.set('x-envoy-external-address', peer);
      }
    } else if (!h.has('x-forwarded-proto')) h.set('x-forwarded-proto', this.scheme);
    if (
      cfg.generateRequestId &&
      (!h.has('x-request-id') || (cfg.useRemoteAddress && !internal && !cfg.preserveExternalRequestId))
    )
      h.set('x-request-id', randomUUID());
    mutateXfcc(cfg.xfcc, this.connection.ssl, h);
    if (h.has('x-forwarded-for'))
      this.info.downstreamRemoteAddress = h.get('x-forwarded-for')!.split(',')[0]!.trim();
  }

  /** internal_address_config, or Envoy's legacy default (loopback and RFC 1918) when unset. */
  private isInternal(): boolean {
    const a = this.connection.remoteAddress;
    const cidrs = this.hcm.config.internalCidrs;
    if (cidrs) return bestPrefix(cidrs, a) >= 0;
    return /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$)/.test(a);
  }

  // --- MatchRequest ---------------------------------------------------------------------------

  header(name: string): string | undefined {
    if (name.charCodeAt(0) === 58) {
      switch (name) {
        case ':method':
          return this.method;
        case ':path':
          return this.path;
        case ':authority':
          return this.authority;
        case ':scheme':
          return this.scheme;
        default:
          return undefined;
      }
    }
    return this.requestHeaders.get(name);
  }

  // --- FilterCallbacks ------------------------------------------------------------------------

  route(): Route | undefined {
    if (this.cachedRoute === null) {
      const table = this.hcm.routeTable();
      this.cachedRoute = table?.route(this);
      this.info.routeName = this.cachedRoute?.name ?? '';
      // A route's idle_timeout replaces stream_idle_timeout for this stream (0 disables it).
      const a = this.cachedRoute?.action;
      if (a?.kind === 'route' && a.idleTimeoutMs !== undefined && !this.destroyed) {
        clearTimeout(this.idleTimer);
        this.idleTimer =
          a.idleTimeoutMs > 0 ? setTimeout(() => this.onIdleTimeout(), a.idleTimeoutMs) : undefined;
      }
    }
    return this.cachedRoute;
  }

  clearRouteCache(): void {
    this.cachedRoute = null;
  }

  perFilterConfig<T>(filterName: string): T | undefined {
    return this.route()?.perFilterConfig.get(filterName) as T | undefined;
  }

  start(): void {
    // As Envoy: a host no URL could carry (`a.com/x`) is refused rather than slipping past host rules.
    if (!authorityIsValid(this.authority)) {
      this.sendLocalReply(400, BODY.badRequest, undefined, 'http.invalid_authority');
      return;
    }
    const n = normalizeRequestPath(this.path, this.hcm.config.pathNormalization);
    if (n.kind === 'reject') {
      this.sendLocalReply(400, BODY.badRequest, undefined, 'path_normalization_failed');
      return;
    }
    if (n.kind === 'redirect') {
      const h = new HeaderMap();
      h.set('location', n.path);
      h.set('content-length', '0');
      this.info.responseCodeDetails = 'path_normalization_redirect';
      this.encodeHeaders(307, h);
      this.endResponse();
      return;
    }
    if (n.path !== this.path) this.path = this.info.path = n.path;
    // Envoy compares against the listener's local address, which original_dst has restored.
    const port = this.connection.originalDst?.port ?? this.connection.localPort;
    this.authority = this.info.authority = normalizeHost(
      this.authority,
      this.hcm.config.hostNormalization,
      port,
    );
    this.continueDecoding();
  }

  continueDecoding(): void {
    while (!this.done && this.decodeIndex < this.filters.length) {
      const f = this.filters[this.decodeIndex++]!;
      if (f.decodeHeaders && f.decodeHeaders(this) === 'stop') return;
    }
  }

  sendLocalReply(status: number, body: string, flag?: ResponseFlag, details?: string): void {
    if (flag) this.info.setFlag(flag);
    this.info.responseCodeDetails = details ?? this.info.responseCodeDetails;
    if (this.responder.headersSent) {
      this.resetStream();
      return;
    }
    const h = new HeaderMap();
    if (isGrpcRequest(this.requestHeaders.get('content-type'))) {
      h.set('content-type', 'application/grpc');
      h.set('grpc-status', String(httpToGrpcStatus(status)));
      if (body) h.set('grpc-message', grpcMessageEncode(body));
      this.encodeHeaders(200, h, true);
      return;
    }
    if (body) {
      h.set('content-type', 'text/plain');
      h.set('content-length', String(Buffer.byteLength(body)));
    } else if (status !== 204 && status !== 304) h.set('content-length', '0');
    this.encodeHeaders(status, h);
    this.endResponse(body || undefined);
  }

  // --- response path (used by the router and local replies) ------------------------------------

  /** endStream: a headers-only response (gRPC trailers-only replies need it on HTTP/2) */
  encodeHeaders(status: number, headers: HeaderMap, endStream = false): void {
    for (let i = this.filters.length - 1; i >= 0; i--)
      this.filters[i]!.encodeHeaders?.(this, status, headers);
    // A 101 keeps Connection/Upgrade: they are the handshake.
    if (status !== 101) for (const n of RESPONSE_HOP_BY_HOP) headers.remove(n);
    const cfg = this.hcm.config;
    if (
      cfg.serverHeader === 'OVERWRITE' ||
      (cfg.serverHeader === 'APPEND_IF_ABSENT' && !headers.has('server'))
    )
      headers.set('server', cfg.serverName);
    this.info.responseCode = status;
    this.info.responseHeaders = headers;
    this.idleTimer?.refresh();
    if (!endStream) {
      this.responder.writeHead(status, headers.raw);
      return;
    }
    this.done = true;
    const h2 = (this.responder as { stream?: ServerHttp2Stream }).stream;
    if (h2 && !h2.destroyed) h2.respond({ ...headers.raw, ':status': status }, { endStream: true });
    else {
      this.responder.writeHead(status, headers.raw);
      this.responder.end();
    }
  }

  /** false when the downstream buffer is full: wait for onDrain */
  encodeData(chunk: Buffer): boolean {
    this.info.bytesSent += chunk.length;
    this.idleTimer?.refresh();
    return this.responder.write(chunk);
  }

  onDrain(cb: () => void): void {
    this.responder.once('drain', cb);
  }

  encodeTrailers(t: Record<string, HeaderValue>): void {
    this.info.responseTrailers = new HeaderMap(t);
    this.responder.addTrailers(t);
  }

  endResponse(body?: string): void {
    if (this.done) return;
    this.done = true;
    if (body) this.info.bytesSent += Buffer.byteLength(body);
    this.responder.end(body);
  }

  /** Abort the downstream stream (response already started, or upstream reset mid-body). */
  resetStream(): void {
    this.done = true;
    this.hcm.stats.downstream_rq_tx_reset.value++;
    this.hcm.resetResponder(this.responder, this.upgradeSocket);
  }

  /** Downstream went away before the response completed (response flag DC). */
  downstreamReset(): void {
    if (this.done) return;
    this.done = true;
    this.info.setFlag('DC');
    this.hcm.stats.downstream_rq_rx_reset.value++;
    this.onDownstreamReset?.();
  }

  private onIdleTimeout(): void {
    if (this.destroyed) return;
    this.hcm.stats.downstream_rq_idle_timeout.value++;
    this.onDownstreamReset?.();
    if (!this.done) this.sendLocalReply(408, BODY.streamTimeout, 'SI', 'stream_idle_timeout');
  }

  private onRequestTimeout(): void {
    if (this.destroyed || this.done) return;
    this.hcm.stats.downstream_rq_timeout.value++;
    this.onDownstreamReset?.();
    this.sendLocalReply(408, BODY.requestTimeout, undefined, 'request_overall_timeout');
  }

  /** Called once when the downstream response is finished or the stream closed. */
  complete(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.requestTimer);
    for (const f of this.filters) f.onDestroy?.();
    this.info.endNs = process.hrtime.bigint();
    for (const f of this.filters) f.log?.(this);
    this.hcm.onStreamComplete(this);
  }
}
