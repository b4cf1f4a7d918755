// tcp_proxy's upstream connection: plaintext, or through the host's TLS transport socket once the
// handshake is done. connect_timeout covers the whole of it; cb is called once.
import net, { type Socket } from 'node:net';
import type { Host } from '../../../upstream/host.js';
import type { UpstreamTls } from '../../../tls/upstream.js';

export function connectUpstream(
  host: Host,
  tls: UpstreamTls | undefined,
  timeoutMs: number,
  cb: (err: Error | null, socket: Socket | null) => void,
): void {
  if (tls) return tls.connect(host.address, host.port, timeoutMs, cb);
  const s = net.connect({ host: host.address, port: host.port, noDelay: true });
  const fail = (e: Error): void => {
    clearTimeout(timer);
    s.destroy();
    cb(e, null);
  };
  const timer = setTimeout(() => fail(new Error('connect timeout')), timeoutMs);
  s.once('error', fail);
  s.once('connect', () => {
    clearTimeout(timer);
    s.off('error', fail);
    cb(null, s);
  });
}
