// The HTTP connection manager's host normalisation (Envoy's strip_trailing_host_dot and the
// strip_port_mode options), applied before routing and every filter so RBAC host rules, virtual
// host selection and the upstream all see one spelling of the host: `admin.example.com.` would
// otherwise slip past a rule naming `admin.example.com`.
import { portStart } from '../../../http/host.js';

/** none; only the listener's own port (strip_matching_host_port); any port (strip_any_host_port). */
export type StripPort = 'none' | 'matching' | 'any';

export interface HostNormalization {
  readonly stripTrailingDot: boolean;
  readonly stripPort: StripPort;
}

const MAX_PORT = 0xffffffff; // Envoy parses the port as a uint32

/** Removes a dot ending the host name, before any port (`a.com.:80` → `a.com:80`). */
function stripTrailingDot(host: string): string {
  const dot = host.lastIndexOf('.');
  if (dot < 0) return host;
  if (dot === host.length - 1) return host.slice(0, -1);
  return host[dot + 1] === ':' ? host.slice(0, dot) + host.slice(dot + 1) : host;
}

/** Removes a numeric port; with `listenerPort`, only that port. */
function stripPort(host: string, listenerPort: number | undefined): string {
  const i = portStart(host);
  if (i < 0) return host;
  const digits = host.slice(i + 1);
  if (!/^\d+$/.test(digits) || Number(digits) > MAX_PORT) return host;
  if (listenerPort !== undefined && Number(digits) !== listenerPort) return host;
  return host.slice(0, i);
}

/** The authority as the connection manager passes it on; `localPort` is the listener's port. */
export function normalizeHost(authority: string, cfg: HostNormalization, localPort: number): string {
  let host = cfg.stripTrailingDot ? stripTrailingDot(authority) : authority;
  if (cfg.stripPort !== 'none') host = stripPort(host, cfg.stripPort === 'matching' ? localPort : undefined);
  return host;
}
