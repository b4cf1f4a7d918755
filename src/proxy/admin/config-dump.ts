// /config_dump: Envoy's admin.v3 ConfigDump sections with their @type, in Envoy's order.
import type { Msg } from '../config/proto.js';
import type { ConfigState } from '../xds/config-state.js';

const A = 'type.googleapis.com/envoy.admin.v3.';
const T = {
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cla: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
};

const typed = (url: string, m: Msg): Msg => ({ '@type': url, ...m });

/** Route configurations written inline in static listeners' HCMs. */
function staticRoutes(s: ConfigState): Msg[] {
  const out: Msg[] = [];
  for (const v of s.staticListeners)
    for (const fc of (v.resource.filter_chains ?? []) as Msg[])
      for (const f of (fc.filters ?? []) as Msg[]) {
        const rc = f.typed_config?.route_config as Msg | undefined;
        if (rc) out.push({ route_config: typed(T.route, rc), last_updated: v.updated });
      }
  return out;
}

export function configDump(s: ConfigState, includeEds: boolean): Msg {
  const configs: Msg[] = [
    { '@type': `${A}BootstrapConfigDump`, bootstrap: s.bootstrap, last_updated: s.bootstrapUpdated },
    {
      '@type': `${A}ClustersConfigDump`,
      version_info: s.cdsVersion,
      static_clusters: s.staticClusters.map((v) => ({
        cluster: typed(T.cluster, v.resource),
        last_updated: v.updated,
      })),
      dynamic_active_clusters: [...s.dynamicClusters.values()].map((v) => ({
        version_info: v.version,
        cluster: typed(T.cluster, v.resource),
        last_updated: v.updated,
      })),
    },
  ];
  if (includeEds)
    configs.push({
      '@type': `${A}EndpointsConfigDump`,
      dynamic_endpoint_configs: [...s.assignments.values()].map((v) => ({
        version_info: v.version,
        endpoint_config: typed(T.cla, v.resource),
        last_updated: v.updated,
      })),
    });
  configs.push(
    {
      '@type': `${A}ListenersConfigDump`,
      version_info: s.ldsVersion,
      static_listeners: s.staticListeners.map((v) => ({
        listener: typed(T.listener, v.resource),
        last_updated: v.updated,
      })),
      dynamic_listeners: [...s.dynamicListeners.entries()].map(([name, v]) => ({
        name,
        active_state: {
          version_info: v.version,
          listener: typed(T.listener, v.resource),
          last_updated: v.updated,
        },
      })),
    },
    {
      '@type': `${A}RoutesConfigDump`,
      static_route_configs: staticRoutes(s),
      dynamic_route_configs: [...s.routes.values()].map((v) => ({
        version_info: v.version,
        route_config: typed(T.route, v.resource),
        last_updated: v.updated,
      })),
    },
  );
  return { configs };
}
