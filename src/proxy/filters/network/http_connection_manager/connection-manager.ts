// envoy.filters.network.http_connection_manager runtime: takes over accepted sockets, picks the
// codec (HTTP/1.1, HTTP/2 prior knowledge, or by ALPN/first bytes for AUTO), turns each request
// into an ActiveStream, records http.<stat_prefix>.* stats and writes access logs.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { ProxyContext } from '../../../context.js';
import { HeaderMap } from '../../../http/header-map.js';
import { connectionOf, type ConnectionInfo } from '../../../listener/connection.js';
import { RouteTable } from '../../../router/route-config.js';
import {
  countResponseCode,
  makeCounters,
  makeGauges,
  type Counter,
  type Histogram,
  type Scope,
} from '../../../stats/store.js';
import { parsePerFilterConfig } from '../../registry.js';
import type { HttpFilter } from '../../http/types.js';
import type { NetworkFilter } from '../types.js';
import { fromAbsoluteForm } from './absolute-form.js';
import { ActiveStream, type Responder } from './active-stream.js';
import type { HcmConfig } from './config.js';
import { HCM_COUNTERS, HCM_GAUGES } from './stats.js';
import { sniffHttp } from '../../listener/http_inspector/index.js';
import { peek } from '../../listener/peek.js';

export class ConnectionManager implements NetworkFilter {
  readonly scope: Scope;
  readonly stats: { [K in (typeof HCM_COUNTERS)[number]]: Counter };
  readonly gauges: ReturnType<typeof makeGauges<typeof HCM_GAUGES>>;
  readonly rqTime: Histogram;
  readonly filterFactories: (() => HttpFilter)[];
  private readonly codeCounters = new Map<number, Counter[]>();
  private readonly h1: http.Server;
  private readonly h2: http2.Http2Server;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private draining = false;
  private compiled: { raw: object; table: RouteTable } | undefined;

  constructor(
    readonly config: HcmConfig,
    readonly ctx: ProxyContext,
  ) {
    const p = config.statPrefix;
    this.scope = ctx.store.scope(`http.${p}`, [['envoy_http_conn_manager_prefix', p]], 'http');
    this.stats = makeCounters(this.scope, HCM_COUNTERS);
    this.gauges = makeGauges(this.scope, HCM_GAUGES);
    this.rqTime = this.scope.histogram('downstream_rq_time');
    const fctx = {
      scope: this.scope,
      clusterManager: ctx.clusterManager,
      node: ctx.node,
      direction: config.direction,
    };
    this.filterFactories = config.filters.map((f) => f.factory.create(f.config, fctx));

    this.h1 = http.createServer({
      maxHeaderSize: config.maxRequestHeadersKb * 1024,
      requestTimeout: 0,
      headersTimeout: config.requestHeadersTimeoutMs || 60_000,
      // Node enforces headersTimeout only on this sweep (30s by default): keep it proportionate.
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(30_000, (config.requestHeadersTimeoutMs || 60_000) / 4),
      ),
      keepAliveTimeout: config.idleTimeoutMs,
      noDelay: true,
    });
    // This server never listen()s (sockets are handed to it), so start Node's connection tracking
    // — which enforces headersTimeout and powers closeIdleConnections — by hand.
    this.h1.emit('listening');
    this.h1.on('request', (req: IncomingMessage, res: ServerResponse) => this.onH1Request(req, res));
    this.h1.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    this.h1.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
      if (!socket.writable) return socket.destroy();
      const code =
        err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      if (code === 408) this.stats.downstream_rq_header_timeout.value++;
      socket.end(
        `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
      );
    });
    this.h2 = http2.createServer({
      maxSessionMemory: 64,
      settings: { maxHeaderListSize: config.maxRequestHeadersKb * 1024 },
    });
    this.h2.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) =>
      this.onH2Request(req, res),
    );
    this.h2.on('session', (s: http2.ServerHttp2Session) => {
      this.sessions.add(s);
      s.once('close', () => this.sessions.delete(s));
      if (this.draining) s.close();
    });
  }

  routeConfigNames(): string[] {
    return this.config.rdsName ? [this.config.rdsName] : [];
  }

  /** The compiled route table; recompiled when RDS delivers a new object. */
  routeTable(): RouteTable | undefined {
    const raw = this.config.rdsName ? this.ctx.routes.get(this.config.rdsName) : this.config.inlineRoutes;
    if (!raw) return undefined;
    if (this.compiled?.raw !== raw)
      this.compiled = {
        raw,
        table: new RouteTable(raw, {
          random: this.ctx.random,
          parsePerFilter: parsePerFilterConfig,
          hcmUpgrades: this.config.upgrades,
        }),
      };
    return this.compiled.table;
  }

  onConnection(socket: Socket, conn: ConnectionInfo): void {
    this.stats.downstream_cx_total.value++;
    this.gauges.downstream_cx_active.value++;
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.stats.downstream_cx_destroy.value++;
      this.gauges.downstream_cx_active.value--;
    });
    const codec = this.config.codec;
    if (codec === 'HTTP2') return this.useH2(socket);
    if (codec === 'HTTP1') return this.useH1(socket);
    const alpn = conn.applicationProtocols;
    if (alpn.includes('h2c') || alpn.includes('h2')) return this.useH2(socket);
    if (alpn.length) return this.useH1(socket);
    // AUTO without http_inspector: sniff the connection preface ourselves.
    void peek(socket, (b) => (sniffHttp(b) === 'more' ? 'more' : 'done'), 15_000).then((b) => {
      if (socket.destroyed) return;
      if (sniffHttp(b) === 'h2c') this.useH2(socket);
      else this.useH1(socket);
    });
  }

  private useH1(socket: Socket): void {
    this.stats.downstream_cx_http1_total.value++;
    this.gauges.downstream_cx_http1_active.value++;
    socket.once('close', () => this.gauges.downstream_cx_http1_active.value--);
    this.h1.emit('connection', socket);
    socket.resume();
  }

  private useH2(socket: Socket): void {
    this.stats.downstream_cx_http2_total.value++;
    this.gauges.downstream_cx_http2_active.value++;
    socket.once('close', () => this.gauges.downstream_cx_http2_active.value--);
    this.h2.emit('connection', socket);
    socket.resume();
  }

  private onH1Request(req: IncomingMessage, res: ServerResponse): void {
    const conn = connectionOf(req.socket)!;
    this.stats.downstream_rq_http1_total.value++;
    if (this.draining) res.shouldKeepAlive = false;
    const hasBody =
      req.headers['content-length'] !== undefined
        ? req.headers['content-length'] !== '0'
        : req.headers['transfer-encoding'] !== undefined;
    const target = req.url ?? '/';
    const absolute = fromAbsoluteForm(target);
    const s = new ActiveStream(
      this,
      conn,
      req.httpVersionMinor === 0 ? 'HTTP/1.0' : 'HTTP/1.1',
      req.method ?? 'GET',
      absolute?.path ?? target,
      absolute?.authority ?? req.headers.host ?? '',
      HeaderMap.from(req.headers),
      hasBody ? req : null,
      res,
    );
    this.begin(s, res);
  }

  private onH2Request(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void {
    const conn = connectionOf(req.stream.session?.socket)!;
    this.stats.downstream_rq_http2_total.value++;
    const headers = req.headers;
    const authority = (headers[':authority'] as string | undefined) ?? headers.host ?? '';
    const s = new ActiveStream(
      this,
      conn,
      'HTTP/2',
      req.method,
      req.url,
      authority,
      HeaderMap.from(headers),
      req.stream.endAfterHeaders ? null : (req as unknown as NodeJS.ReadableStream),
      res as unknown as Responder,
    );
    this.begin(s, res);
  }

  private begin(s: ActiveStream, res: ServerResponse | http2.Http2ServerResponse): void {
    this.stats.downstream_rq_total.value++;
    this.gauges.downstream_rq_active.value++;
    res.once('close', () => {
      if (!res.writableFinished) s.downstreamReset();
      s.complete();
    });
    s.start();
  }

  /** HTTP/1.1 Upgrade (WebSocket): same filter chain; the router splices the sockets on 101. */
  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const conn = connectionOf(socket)!;
    this.stats.downstream_rq_http1_total.value++;
    this.stats.downstream_cx_upgrades_total.value++;
    this.gauges.downstream_cx_upgrades_active.value++;
    socket.once('close', () => this.gauges.downstream_cx_upgrades_active.value--);
    const responder = new RawResponder(socket);
    const s = new ActiveStream(
      this,
      conn,
      'HTTP/1.1',
      req.method ?? 'GET',
      req.url ?? '/',
      req.headers.host ?? '',
      HeaderMap.from(req.headers),
      null,
      responder,
      socket,
      head,
    );
    this.stats.downstream_rq_total.value++;
    this.gauges.downstream_rq_active.value++;
    socket.once('close', () => {
      if (!responder.finished) s.downstreamReset();
      s.complete();
    });
    s.start();
  }

  resetResponder(r: Responder, upgradeSocket: Socket | undefined): void {
    if (upgradeSocket) return void upgradeSocket.destroy();
    const res = r as unknown as ServerResponse | http2.Http2ServerResponse;
    if ('stream' in res) res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    else res.destroy();
  }

  onStreamComplete(s: ActiveStream): void {
    this.gauges.downstream_rq_active.value--;
    this.stats.downstream_rq_completed.value++;
    const code = s.info.responseCode;
    if (code) countResponseCode(this.scope, 'downstream_rq', code, this.codeCounters, false);
    this.rqTime.record(s.info.durationMs());
    for (const l of this.config.accessLogs) l.log(s.info);
  }

  async drain(): Promise<void> {
    this.draining = true;
    for (const s of this.sessions) s.close();
    this.h1.closeIdleConnections();
    if (this.sockets.size === 0) return;
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        this.h1.closeIdleConnections();
        if (this.sockets.size === 0) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
  }

  /** Force-close everything left after the drain period. */
  close(): void {
    for (const s of this.sockets) s.destroy();
    this.h1.close(() => undefined);
  }
}

/** Writes an HTTP/1.1 response straight to a socket (local replies on upgrade requests). */
class RawResponder implements Responder {
  headersSent = false;
  finished = false;
  constructor(private readonly socket: Socket) {}
  writeHead(status: number, headers: Record<string, string | string[] | undefined>): void {
    this.headersSent = true;
    let s = `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n`;
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) s += `${k}: ${x}\r\n`;
    }
    this.socket.write(`${s}\r\n`);
  }
  write(chunk: Buffer): boolean {
    return this.socket.write(chunk);
  }
  addTrailers(): void {
    // HTTP/1.1 upgrade responses carry no body framing, hence no trailers.
  }
  end(body?: string | Buffer): void {
    this.finished = true;
    if (body === undefined) this.socket.end();
    else this.socket.end(body);
  }
  once(ev: 'drain', cb: () => void): void {
    this.socket.once(ev, cb);
  }
}
