// envoy.filters.listener.tls_inspector: peeks at a ClientHello for SNI and ALPN without
// consuming it, so TLS can be routed by server name (passthrough) or terminated later.
import type { ListenerFilterFactory } from '../types.js';
import { peek } from '../peek.js';
import { parseClientHello } from './client-hello.js';

export const tlsInspectorFilter = {
  name: 'envoy.filters.listener.tls_inspector',
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  parse: () => ({}),
  create: () => async (socket, conn) => {
    const b = await peek(socket, (buf) => (parseClientHello(buf) === 'more' ? 'more' : 'done'), 15000);
    const r = parseClientHello(b);
    if (typeof r === 'string') return;
    conn.transportProtocol = 'tls';
    conn.serverName = r.serverName;
    conn.applicationProtocols = r.alpn;
  },
} satisfies ListenerFilterFactory<object>;
