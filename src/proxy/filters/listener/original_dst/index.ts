// envoy.filters.listener.original_dst: restores the destination of an iptables-REDIRECTed
// connection (SO_ORIGINAL_DST via @weft/origdst); under TPROXY the socket's local address
// already is the original destination, so nothing changes.
import { fdOf, origDstAddon } from '../../../listener/origdst.js';
import type { ListenerFilterFactory } from '../types.js';

export const originalDstFilter = {
  name: 'envoy.filters.listener.original_dst',
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  parse: () => ({}),
  create: () => async (socket, conn) => {
    const a = origDstAddon();
    const fd = fdOf(socket);
    if (!a || fd === undefined) return;
    try {
      const d = a.getOriginalDst(fd);
      if (d.address !== conn.localAddress || d.port !== conn.localPort) {
        conn.localAddress = d.address;
        conn.localPort = d.port;
      }
      conn.originalDst = { address: d.address, port: d.port };
    } catch {
      // Not redirected (connected to the listener directly): keep the local address.
      conn.originalDst = { address: conn.localAddress, port: conn.localPort };
    }
  },
} satisfies ListenerFilterFactory<object>;
