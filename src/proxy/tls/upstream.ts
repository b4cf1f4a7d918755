// Client side of envoy.transport_sockets.tls (UpstreamTlsContext) for a cluster's connections:
// SNI from `sni`, the client certificate and trust anchors from inline data or SDS, Envoy's
// verification (chain against trusted_ca, then the SAN matchers; no hostname check), ALPN, and
// session resumption as Envoy's max_session_keys: the latest session per endpoint is offered on
// the next connection, so a new connection skips the full handshake (certificates, signatures).
// Pools open connections through it: undici takes `connector`, node:http2 `createConnection`;
// tcp_proxy calls `connect`.
import net from 'node:net';
import tls from 'node:tls';
import type { buildConnector } from 'undici';
import type { TlsContextConfig } from './context-config.js';
import { sanMismatch, SECRET_NOT_READY, tlsFailureReason, UpstreamTlsError } from './errors.js';
import { ContextBuilder, type BuiltContext } from './secure-context.js';
import type { SecretStore } from './secret-store.js';
import { sslInfo } from './ssl-info.js';

/**
 * The identities an endpoint's last handshake proved (Envoy's upstream Ssl::ConnectionInfo,
 * kept per endpoint since a stream does not see which pooled connection carried it): Istio's
 * stats name the source and destination principals of outbound requests from it.
 */
export interface UpstreamIdentity {
  readonly peerUriSan: string;
  readonly localUriSan: string;
}

export class UpstreamTls {
  private readonly builder: ContextBuilder;
  private readonly alpn: string[];
  /** address → port → identity */
  private readonly identities = new Map<string, Map<number, UpstreamIdentity>>();
  /** Sessions to resume by endpoint, per built context: a rebuilt one (rotated certificate) starts empty. */
  private readonly sessions = new WeakMap<BuiltContext, Map<string, Buffer>>();

  constructor(config: TlsContextConfig, secrets: SecretStore, http2: boolean) {
    this.builder = new ContextBuilder(config, secrets);
    // An HTTP/2 cluster must negotiate h2 (Envoy overrides ALPN for its codec when none is set).
    this.alpn = config.alpn.length ? [...config.alpn] : http2 ? ['h2'] : [];
  }

  private open(built: BuiltContext, host: string, port: number): tls.TLSSocket {
    const sni = this.builder.config.sni;
    const endpoint = `${host}:${port}`;
    let sessions = this.sessions.get(built);
    if (!sessions && this.builder.config.maxSessionKeys > 0) {
      sessions = new Map();
      this.sessions.set(built, sessions);
    }
    const s = tls.connect({
      host,
      port,
      servername: sni && !net.isIP(sni) ? sni : undefined,
      secureContext: built.secureContext,
      ALPNProtocols: this.alpn.length ? this.alpn : undefined,
      rejectUnauthorized: built.verifyPeer,
      // Envoy verifies SANs only against the configured matchers, never against the host name.
      checkServerIdentity: (_h, cert) => (built.sans && !built.sans(cert) ? sanMismatch() : undefined),
      session: sessions?.get(endpoint),
    });
    // Only sessions of handshakes that passed verification are offered again.
    if (sessions)
      s.on('session', (session: Buffer) => {
        if (s.authorized || !built.verifyPeer) sessions.set(endpoint, session);
      });
    return s;
  }

  /**
   * Connects and completes the handshake, waiting (bounded by timeoutMs, which covers it all) for
   * SDS secrets; cb once, with the secure socket or why it failed.
   */
  connect(
    host: string,
    port: number,
    timeoutMs: number,
    cb: (err: Error | null, socket: tls.TLSSocket | null) => void,
  ): void {
    const started = Date.now();
    const go = (built: BuiltContext | undefined): void => {
      if (!built) return cb(new UpstreamTlsError(SECRET_NOT_READY), null);
      const s = this.open(built, host, port);
      const fail = (e: Error & { syscall?: string }): void => {
        clearTimeout(timer);
        s.destroy();
        // TCP connect errors stay as they are (the pool words them like plaintext ones).
        cb(e.syscall === 'connect' ? e : new UpstreamTlsError(tlsFailureReason(e) ?? e.message, e), null);
      };
      const timer = setTimeout(
        () => fail(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })),
        Math.max(1, timeoutMs - (Date.now() - started)),
      );
      s.once('error', fail);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.off('error', fail);
        this.remember(host, port, s);
        cb(null, s);
      });
    };
    const now = this.builder.current();
    if (now) go(now);
    else void this.builder.ready(timeoutMs).then(() => go(this.builder.current()));
  }

  private remember(host: string, port: number, s: tls.TLSSocket): void {
    const info = sslInfo(s, true);
    let byPort = this.identities.get(host);
    if (!byPort) this.identities.set(host, (byPort = new Map()));
    byPort.set(port, { peerUriSan: info.peerUriSans[0] ?? '', localUriSan: info.localUriSans[0] ?? '' });
  }

  /** What the last handshake with address:port proved, if one completed. */
  identity(address: string, port: number): UpstreamIdentity | undefined {
    return this.identities.get(address)?.get(port);
  }

  /** undici Connector over connect(). */
  connector(timeoutMs: number): buildConnector.connector {
    return (opts, cb) =>
      this.connect(opts.hostname.replace(/^\[|\]$/g, ''), Number(opts.port), timeoutMs, (e, s) =>
        s ? cb(null, s) : cb(e!, null),
      );
  }

  /** node:http2 createConnection (synchronous): fails the session when a secret is missing. */
  createConnection(host: string, port: number): tls.TLSSocket {
    const built = this.builder.current();
    if (built) return this.open(built, host, port);
    const s = new tls.TLSSocket(new net.Socket());
    process.nextTick(() => s.destroy(new UpstreamTlsError(SECRET_NOT_READY)));
    return s;
  }
}
