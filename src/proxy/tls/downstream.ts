// Server side of envoy.transport_sockets.tls (DownstreamTlsContext) on a filter chain: terminates
// TLS on an accepted socket and hands the decrypted socket to the chain's network filter.
// Client certificates: requested when trust anchors are configured, required with
// require_client_certificate (refused in the handshake), SAN-matched once presented.
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { parseClientHello } from '../filters/listener/tls_inspector/client-hello.js';
import { peek } from '../filters/listener/peek.js';
import type { ConnectionInfo } from '../listener/connection.js';
import type { TlsContextConfig } from './context-config.js';
import { ContextBuilder, type BuiltContext } from './secure-context.js';
import type { SecretStore } from './secret-store.js';
import { sslInfo } from './ssl-info.js';

/** Envoy's transport_socket_connect_timeout is unset by default; bound slow handshakes anyway. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

type Next = (s: tls.TLSSocket) => void;

const tuple = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}|${s.localPort}`;

export class DownstreamTls {
  private readonly builder: ContextBuilder;
  /** tls.Server per ALPN offer, for the current context (a rebuilt context gets new servers) */
  private servers = new Map<string, tls.Server>();
  private serversFor: BuiltContext | undefined;
  /** accepted sockets awaiting their handshake, by TCP 4-tuple (the TLSSocket has the same) */
  private readonly pending = new Map<string, { conn: ConnectionInfo; next: Next }>();

  constructor(config: TlsContextConfig, secrets: SecretStore) {
    this.builder = new ContextBuilder(config, secrets);
  }

  /** The ALPN the client offered: from tls_inspector, or read here from the ClientHello. */
  private async clientAlpn(socket: Socket, conn: ConnectionInfo): Promise<string[]> {
    if (conn.transportProtocol === 'tls') return conn.applicationProtocols;
    const hello = parseClientHello(
      await peek(socket, (b) => (parseClientHello(b) === 'more' ? 'more' : 'done'), HANDSHAKE_TIMEOUT_MS),
    );
    return typeof hello === 'object' ? hello.alpn : [];
  }

  // Node only runs HTTP/2 over TLS sockets a tls.Server created, so handshakes go through one.
  private server(built: BuiltContext, alpn: string[]): tls.Server {
    if (this.serversFor !== built) {
      this.servers = new Map();
      this.serversFor = built;
    }
    const key = alpn.join(',');
    let s = this.servers.get(key);
    if (s) return s;
    const cfg = this.builder.config;
    s = tls.createServer({
      ...built.options,
      requestCert: built.verifyPeer,
      rejectUnauthorized: built.verifyPeer && cfg.requireClientCertificate,
      ALPNProtocols: alpn.length ? alpn : undefined,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    s.on('secureConnection', (t: tls.TLSSocket) => this.onSecure(t, built));
    s.on('tlsClientError', (_e: Error, t: tls.TLSSocket) => t.destroy());
    this.servers.set(key, s);
    return s;
  }

  async accept(socket: Socket, conn: ConnectionInfo, next: Next): Promise<void> {
    const cfg = this.builder.config;
    if (!this.builder.current() && !(await this.builder.ready(HANDSHAKE_TIMEOUT_MS)))
      return void socket.destroy();
    const offered = cfg.alpn.length ? await this.clientAlpn(socket, conn) : [];
    if (socket.destroyed) return;
    // BoringSSL answers an ALPN mismatch by negotiating nothing; Node would send a fatal alert,
    // so only the protocols both sides know are offered (in the server's order).
    const alpn = cfg.alpn.filter((p) => offered.includes(p));
    const key = tuple(socket);
    this.pending.set(key, { conn, next });
    socket.once('close', () => this.pending.delete(key));
    this.server(this.builder.current()!, alpn).emit('connection', socket);
  }

  private onSecure(s: tls.TLSSocket, built: BuiltContext): void {
    const key = tuple(s);
    const p = this.pending.get(key);
    this.pending.delete(key);
    if (!p) return void s.destroy();
    const peer = s.getPeerCertificate();
    const presented = Boolean(peer && Object.keys(peer).length > 0);
    // A certificate that was presented must verify and match, required or not.
    if (presented && built.verifyPeer && (!s.authorized || (built.sans && !built.sans(peer))))
      return void s.destroy();
    const { conn, next } = p;
    conn.transportProtocol = 'tls';
    conn.ssl = sslInfo(s, presented && s.authorized);
    if (!conn.serverName) conn.serverName = conn.ssl.sni;
    // What the codec should speak is what was negotiated, not what the client offered.
    conn.applicationProtocols = s.alpnProtocol ? [s.alpnProtocol] : [];
    next(s);
  }
}
