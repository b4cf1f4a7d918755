// A proxy's config as the control plane last sent it, in Envoy's admin config_dump shape
// (envoy.admin.v3.{Clusters,Listeners,Routes,Endpoints}ConfigDump, dynamic sections only).
import { decodeMessage } from '../proto/root.js';
import type { Connection, Watch } from '../server/connection.js';
import type { EncodedResource } from '../server/wire.js';
import { TypeUrl, messageName } from '../type-urls.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

function decoded(r: EncodedResource): object {
  return { '@type': r.typeUrl, ...decodeMessage(messageName(r.typeUrl), r.value) };
}

export function configDump(c: Connection): object {
  const each = <T>(typeUrl: string, f: (r: EncodedResource, w: Watch, updated: string) => T): T[] => {
    const w = c.watches.get(typeUrl);
    if (!w) return [];
    const updated = new Date(w.lastSentAt ?? c.connectedAt).toISOString();
    return [...w.sent.values()].sort((a, b) => a.name.localeCompare(b.name)).map((r) => f(r, w, updated));
  };
  return {
    configs: [
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        version_info: c.watches.get(TypeUrl.Cluster)?.versionSent ?? '',
        dynamic_active_clusters: each(TypeUrl.Cluster, (r, w, last_updated) => ({
          version_info: w.versionSent,
          cluster: decoded(r),
          last_updated,
        })),
      },
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        version_info: c.watches.get(TypeUrl.Listener)?.versionSent ?? '',
        dynamic_listeners: each(TypeUrl.Listener, (r, w, last_updated) => ({
          name: r.name,
          active_state: { version_info: w.versionSent, listener: decoded(r), last_updated },
        })),
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamic_route_configs: each(TypeUrl.RouteConfiguration, (r, w, last_updated) => ({
          version_info: w.versionSent,
          route_config: decoded(r),
          last_updated,
        })),
      },
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamic_endpoint_configs: each(TypeUrl.ClusterLoadAssignment, (r, w, last_updated) => ({
          version_info: w.versionSent,
          endpoint_config: decoded(r),
          last_updated,
        })),
      },
    ],
  };
}
