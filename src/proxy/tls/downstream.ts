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
import { ContextBuilder } from './secure-context.js';
import type { SecretStore } from './secret-store.js';
import { sslInfo } from './ssl-info.js';

/** Envoy's transport_socket_connect_timeout is unset by default; bound slow handshakes anyway. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

export class DownstreamTls {
  private readonly builder: ContextBuilder;

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

  async accept(socket: Socket, conn: ConnectionInfo, next: (s: tls.TLSSocket) => void): Promise<void> {
    const cfg = this.builder.config;
    if (!this.builder.current() && !(await this.builder.ready(HANDSHAKE_TIMEOUT_MS)))
      return void socket.destroy();
    const offered = cfg.alpn.length ? await this.clientAlpn(socket, conn) : [];
    if (socket.destroyed) return;
    const built = this.builder.current()!;
    // BoringSSL answers an ALPN mismatch by negotiating nothing; Node would send a fatal alert,
    // so only the protocols both sides know are offered (in the server's order).
    const alpn = cfg.alpn.filter((p) => offered.includes(p));
    const s = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: built.secureContext,
      requestCert: built.verifyPeer,
      rejectUnauthorized: built.verifyPeer && cfg.requireClientCertificate,
      ALPNProtocols: alpn.length ? alpn : undefined,
    });
    const timer = setTimeout(() => s.destroy(), HANDSHAKE_TIMEOUT_MS);
    s.once('close', () => clearTimeout(timer));
    s.on('error', () => s.destroy());
    s.once('secure', () => {
      clearTimeout(timer);
      const peer = s.getPeerCertificate();
      const presented = Boolean(peer && Object.keys(peer).length > 0);
      // A certificate that was presented must verify and match, required or not.
      if (presented && built.verifyPeer && (!s.authorized || (built.sans && !built.sans(peer))))
        return void s.destroy();
      conn.transportProtocol = 'tls';
      conn.ssl = sslInfo(s, presented && s.authorized);
      if (!conn.serverName) conn.serverName = conn.ssl.sni;
      // What the codec should speak is what was negotiated, not what the client offered.
      conn.applicationProtocols = s.alpnProtocol ? [s.alpnProtocol] : [];
      next(s);
    });
  }
}
