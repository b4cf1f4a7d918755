// HTTP/2 upstream pool (prior-knowledge h2c) on node:http2: one session per host, a new one when
// max_requests_per_connection is reached, closed after idle_timeout with no streams.
import http2 from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import {
  classifyError,
  type ConnPool,
  type PoolObserver,
  type PoolOptions,
  type UpstreamHandler,
  type UpstreamRequestSpec,
  type UpstreamStream,
} from './types.js';

const { HTTP2_HEADER_STATUS } = http2.constants;

interface Session {
  s: http2.ClientHttp2Session;
  connected: boolean;
  streams: number;
}

class Http2Stream implements UpstreamStream {
  constructor(private readonly req: http2.ClientHttp2Stream) {}
  resume(): void {
    this.req.resume();
  }
  abort(): void {
    if (!this.req.destroyed) this.req.close(http2.constants.NGHTTP2_CANCEL);
  }
}

export class Http2Pool implements ConnPool {
  private current: Session | undefined;
  private draining = false;

  constructor(
    private readonly origin: string,
    private readonly opts: PoolOptions,
    private readonly observer: PoolObserver,
  ) {}

  private session(): Session {
    const c = this.current;
    if (c && !c.s.closed && !c.s.destroyed) return c;
    const tls = this.opts.transport;
    const s = tls
      ? http2.connect(this.origin, {
          createConnection: (u: URL) =>
            tls.createConnection(u.hostname.replace(/^\[|\]$/g, ''), Number(u.port)),
        })
      : http2.connect(this.origin);
    const sess: Session = { s, connected: false, streams: 0 };
    const timer = setTimeout(
      () => s.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })),
      this.opts.connectTimeoutMs,
    );
    s.once('connect', () => {
      clearTimeout(timer);
      sess.connected = true;
      this.observer.onConnect();
    });
    s.on('error', () => {
      clearTimeout(timer);
      if (!sess.connected) this.observer.onConnectFail();
    });
    s.once('close', () => {
      clearTimeout(timer);
      if (sess.connected) this.observer.onDisconnect();
      if (this.current === sess) this.current = undefined;
    });
    s.setTimeout(this.opts.idleTimeoutMs, () => {
      if (sess.streams === 0) s.close();
    });
    this.current = sess;
    return sess;
  }

  request(spec: UpstreamRequestSpec, h: UpstreamHandler): UpstreamStream {
    const sess = this.session();
    const headers: http2.OutgoingHttpHeaders = {
      ':method': spec.method,
      ':path': spec.path,
      ':authority': spec.authority,
      ':scheme': 'http',
    };
    const hs = spec.headers;
    for (let i = 0; i < hs.length; i += 2) {
      const k = hs[i]!;
      const prev = headers[k];
      headers[k] = prev === undefined ? hs[i + 1]! : ([] as string[]).concat(prev as string, hs[i + 1]!);
    }
    const req = sess.s.request(headers, { endStream: spec.body === null });
    sess.streams++;
    const max = this.opts.maxRequestsPerConnection;
    if (max && sess.streams >= max && this.current === sess) this.current = undefined;
    let gotHeaders = false;
    req.on('response', (hdrs, flags: number) => {
      gotHeaders = true;
      const status = Number(hdrs[HTTP2_HEADER_STATUS]);
      delete hdrs[HTTP2_HEADER_STATUS];
      h.onHeaders(
        status,
        hdrs as IncomingHttpHeaders,
        (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0,
      );
    });
    let trailers: IncomingHttpHeaders | undefined;
    req.on('trailers', (t) => (trailers = t as IncomingHttpHeaders));
    req.on('data', (chunk: Buffer) => {
      if (!h.onData(chunk)) req.pause();
    });
    req.on('end', () => h.onEnd(trailers));
    req.on('error', (err: Error & { code?: string }) => {
      h.onError(
        !sess.connected ? 'connection failure' : gotHeaders ? 'remote reset' : classifyError(err),
        err,
      );
    });
    req.on('close', () => {
      sess.streams--;
      if (sess.streams === 0 && (this.current !== sess || this.draining)) sess.s.close();
      // A stream closed without a response and without an error: the connection went away.
      if (
        !gotHeaders &&
        !req.readableEnded &&
        req.rstCode === http2.constants.NGHTTP2_NO_ERROR &&
        !req.errored
      )
        h.onError(
          sess.connected ? 'connection termination' : 'connection failure',
          new Error('stream closed'),
        );
    });
    if (spec.body) spec.body.pipe(req);
    return new Http2Stream(req);
  }

  async drain(): Promise<void> {
    this.draining = true;
    const c = this.current;
    this.current = undefined;
    if (c && c.streams === 0) c.s.close();
  }
}
