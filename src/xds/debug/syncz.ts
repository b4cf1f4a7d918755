// Per-proxy xDS sync state for /debug/syncz, /debug/adsz and `weft proxy-status`.
import type { Connection, SyncStatus } from '../server/connection.js';
import type { DiscoveryServer } from '../server/discovery-server.js';
import { TYPE_SHORT, TypeUrl } from '../type-urls.js';

export interface TypeSync {
  status: SyncStatus;
  sent_version?: string;
  sent_nonce?: string;
  acked_version?: string;
  acked_nonce?: string;
  /** error_detail of the last NACK (cleared by the next ACK). */
  nack?: string;
  /** Why the last generation for this proxy failed (it keeps its last good config). */
  error?: string;
}

export interface ProxySync {
  proxy: string;
  /** pod.namespace, as istioctl names proxies */
  name: string;
  connection: string;
  mode: 'sotw' | 'delta';
  istio_version: string;
  types: Record<'CDS' | 'EDS' | 'LDS' | 'RDS', TypeSync>;
}

const SHOWN = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration];

export function proxySync(c: Connection): ProxySync {
  const types = {} as ProxySync['types'];
  for (const t of SHOWN) {
    const w = c.watches.get(t);
    types[TYPE_SHORT[t] as keyof ProxySync['types']] = w
      ? {
          status: w.status(),
          sent_version: w.versionSent,
          sent_nonce: w.nonceSent,
          acked_version: w.versionAcked,
          acked_nonce: w.nonceAcked,
          nack: w.lastNack?.message,
          error: w.lastError,
        }
      : { status: 'NOT SENT' };
  }
  const version = c.proxy.metadata.ISTIO_VERSION;
  return {
    proxy: c.proxy.id,
    name: c.proxy.namespace ? `${c.proxy.podName}.${c.proxy.namespace}` : c.proxy.podName,
    connection: c.id,
    mode: c.responder.mode,
    istio_version: typeof version === 'string' ? version : '',
    types,
  };
}

export function syncz(ds: DiscoveryServer): ProxySync[] {
  return [...ds.connections].map(proxySync).sort((a, b) => a.name.localeCompare(b.name));
}

/** Connections and what each subscribed to (Pilot's /debug/adsz). */
export function adsz(ds: DiscoveryServer): object {
  return {
    version: ds.version,
    total: ds.connections.size,
    connections: [...ds.connections].map((c) => ({
      connection: c.id,
      proxy: c.proxy.id,
      peer: c.peer,
      mode: c.responder.mode,
      connected_at: new Date(c.connectedAt).toISOString(),
      watches: Object.fromEntries(
        [...c.watches.values()].map((w) => [
          TYPE_SHORT[w.typeUrl as TypeUrl] ?? w.typeUrl,
          { wildcard: w.wildcard, names: [...w.names].sort(), sent: w.sent.names().sort() },
        ]),
      ),
    })),
  };
}

/** Finds a connection by node id, connection id or pod.namespace (as istioctl passes it). */
export function findConnection(ds: DiscoveryServer, id: string): Connection | undefined {
  for (const c of ds.connections) {
    if (c.proxy.id === id || c.id === id || `${c.proxy.podName}.${c.proxy.namespace}` === id) return c;
  }
  return undefined;
}
