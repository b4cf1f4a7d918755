// HTTP/1.1 upstream pool on undici: keep-alive connections per host, idle timeout
// (common_http_protocol_options.idle_timeout), max_requests_per_connection, connect_timeout.
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import {
  classifyError,
  type ConnPool,
  type PoolObserver,
  type PoolOptions,
  type UpstreamHandler,
  type UpstreamRequestSpec,
  type UpstreamStream,
} from './types.js';

class Http1Stream implements Dispatcher.DispatchHandler, UpstreamStream {
  private controller: Dispatcher.DispatchController | undefined;
  private aborted = false;
  constructor(private readonly h: UpstreamHandler) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.aborted) controller.abort(new Error('aborted'));
  }
  onRequestUpgrade(
    _c: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.h.onUpgrade(status, headers, socket);
  }
  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    this.h.onHeaders(status, headers, false);
  }
  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.h.onData(chunk)) c.pause();
  }
  onResponseEnd(_c: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.h.onEnd(Object.keys(trailers).length ? trailers : undefined);
  }
  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (!this.aborted) this.h.onError(classifyError(err), err);
  }
  resume(): void {
    this.controller?.resume();
  }
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort(new Error('aborted'));
  }
}

export class Http1Pool implements ConnPool {
  private readonly pool: Pool;
  /** max_requests_per_connection 1: every request closes its connection */
  private readonly oneShot: boolean;

  constructor(origin: string, opts: PoolOptions, observer: PoolObserver) {
    const max = opts.maxRequestsPerConnection;
    this.oneShot = max === 1;
    this.pool = new Pool(origin, {
      connections: opts.maxConnections ?? null,
      pipelining: 1,
      keepAliveTimeout: opts.idleTimeoutMs,
      keepAliveMaxTimeout: opts.idleTimeoutMs,
      keepAliveTimeoutThreshold: 0,
      // undici resets a connection only on the request after its maxRequestsPerClient-th (and 0
      // means no limit), so N becomes N - 1 and N = 1 is a reset on every request.
      maxRequestsPerClient: max && max > 1 ? max - 1 : 0,
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: opts.transport?.connector(opts.connectTimeoutMs) ?? { timeout: opts.connectTimeoutMs },
    });
    this.pool.on('connect', () => observer.onConnect());
    this.pool.on('disconnect', () => observer.onDisconnect());
    this.pool.on('connectionError', () => observer.onConnectFail());
  }

  request(spec: UpstreamRequestSpec, handler: UpstreamHandler): UpstreamStream {
    const s = new Http1Stream(handler);
    spec.headers.push('host', spec.authority);
    this.pool.dispatch(
      {
        path: spec.path,
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        upgrade: spec.upgrade ?? null,
        // Not idempotent as far as undici knows: Envoy's router owns retries, never the pool.
        idempotent: false,
        blocking: false,
        ...(this.oneShot ? { reset: true } : {}),
      },
      s,
    );
    return s;
  }

  async drain(): Promise<void> {
    await this.pool.close();
  }
}
