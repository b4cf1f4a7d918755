// `weft proxy-config cluster|listener|route|endpoint|secret|bootstrap POD`: istioctl's views of a
// proxy's Envoy admin data (/config_dump, /clusters?format=json), as tables or raw JSON.
import { formatTable } from '../../cli/table.js';

export const PROXY_CONFIG_KINDS = [
  'cluster',
  'listener',
  'route',
  'endpoint',
  'secret',
  'bootstrap',
] as const;
export type ProxyConfigKind = (typeof PROXY_CONFIG_KINDS)[number];

type Json = Record<string, any>;

/** Reads an admin path of the proxy (in a pod: through its network namespace). */
export type AdminFetch = (path: string) => Promise<string>;

function section(dump: Json, type: string): Json {
  return (dump.configs as Json[] | undefined)?.find((c) => String(c['@type']).endsWith(`.${type}`)) ?? {};
}

function clusters(dump: Json): Json[] {
  const s = section(dump, 'ClustersConfigDump');
  return [...(s.static_clusters ?? []), ...(s.dynamic_active_clusters ?? [])].map((c: Json) => c.cluster);
}

function listeners(dump: Json): Json[] {
  const s = section(dump, 'ListenersConfigDump');
  return [
    ...(s.static_listeners ?? []).map((l: Json) => l.listener),
    ...(s.dynamic_listeners ?? []).map((l: Json) => l.active_state?.listener).filter(Boolean),
  ];
}

function routeConfigs(dump: Json): Json[] {
  const s = section(dump, 'RoutesConfigDump');
  const named = [...(s.static_route_configs ?? []), ...(s.dynamic_route_configs ?? [])].map(
    (r: Json) => r.route_config,
  );
  // Route configs written inline in an HTTP connection manager are routes too.
  const inline = listeners(dump).flatMap((l) =>
    (l.filter_chains ?? []).flatMap((fc: Json) =>
      (fc.filters ?? []).map((f: Json) => f.typed_config?.route_config).filter(Boolean),
    ),
  );
  return [...named, ...inline];
}

/** Istio cluster names: direction|port|subset|fqdn. */
function clusterRow(c: Json): string[] {
  const parts = String(c.name).split('|');
  const type = String(c.type ?? (c.cluster_type ? 'CUSTOM' : 'EDS'));
  if (parts.length === 4) return [parts[3]!, parts[1]!, parts[2] || '-', parts[0]!, type];
  return [String(c.name), '-', '-', '-', type];
}

function address(l: Json): [string, string] {
  const sa = l.address?.socket_address ?? {};
  return [String(sa.address ?? '-'), String(sa.port_value ?? '-')];
}

function chainMatch(fc: Json): string {
  const m = fc.filter_chain_match ?? {};
  const parts: string[] = [];
  if (m.destination_port) parts.push(`port=${m.destination_port.value ?? m.destination_port}`);
  if (m.server_names?.length) parts.push(`SNI: ${m.server_names.join(',')}`);
  if (m.transport_protocol) parts.push(`Trans: ${m.transport_protocol}`);
  if (m.application_protocols?.length) parts.push(`App: ${m.application_protocols.join(',')}`);
  if (m.prefix_ranges?.length)
    parts.push(
      `Addr: ${m.prefix_ranges.map((p: Json) => `${p.address_prefix}/${p.prefix_len ?? 32}`).join(',')}`,
    );
  return parts.join('; ') || 'ALL';
}

function chainDestination(fc: Json): string {
  for (const f of fc.filters ?? []) {
    const tc = f.typed_config ?? {};
    if (String(f.name).endsWith('http_connection_manager'))
      return tc.rds ? `Route: ${tc.rds.route_config_name}` : `Inline Route: ${tc.route_config?.name ?? ''}`;
    if (String(f.name).endsWith('tcp_proxy'))
      return tc.cluster ? `Cluster: ${tc.cluster}` : 'Cluster: weighted';
  }
  return 'Non-HTTP/Non-TCP';
}

function routeMatch(r: Json): string {
  const m = r.match ?? {};
  const path =
    m.prefix !== undefined
      ? `${m.prefix}*`
      : (m.path ?? m.safe_regex?.regex ?? m.path_separated_prefix ?? '*');
  const headers = (m.headers ?? []).map((h: Json) => h.name).join(',');
  return headers ? `${path} (${headers})` : String(path);
}

function virtualServiceOf(r: Json): string {
  const istio = r.metadata?.filter_metadata?.istio?.config as string | undefined;
  const m = istio ? /namespaces\/([^/]+)\/virtual-service\/(.+)$/.exec(istio) : null;
  return m ? `${m[2]}.${m[1]}` : '-';
}

function endpointRows(clustersJson: Json): string[][] {
  const rows: string[][] = [];
  for (const c of clustersJson.cluster_statuses ?? []) {
    for (const h of c.host_statuses ?? []) {
      const sa = h.address?.socket_address ?? {};
      const hs = h.health_status ?? {};
      rows.push([
        `${sa.address}:${sa.port_value}`,
        String(hs.eds_health_status ?? 'HEALTHY'),
        hs.failed_outlier_check ? 'FAILED' : 'OK',
        String(c.name),
      ]);
    }
  }
  return rows;
}

function secretRows(dump: Json): string[][] {
  const s = section(dump, 'SecretsConfigDump');
  const all = [...(s.static_secrets ?? []), ...(s.dynamic_active_secrets ?? [])];
  return all.map((e: Json) => {
    const secret = e.secret ?? {};
    const type = secret.tls_certificate ? 'Cert Chain' : secret.validation_context ? 'CA' : '-';
    return [String(e.name ?? secret.name), type, e.version_info ? 'ACTIVE' : 'STATIC'];
  });
}

/** Renders one view; `json` prints the underlying objects instead of a table. */
export async function proxyConfigView(
  kind: ProxyConfigKind,
  fetchAdmin: AdminFetch,
  json = false,
): Promise<string> {
  if (kind === 'endpoint') {
    const body = JSON.parse(await fetchAdmin('/clusters?format=json')) as Json;
    if (json) return `${JSON.stringify(body, null, 2)}\n`;
    return formatTable(['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'], endpointRows(body));
  }
  const dump = JSON.parse(await fetchAdmin('/config_dump')) as Json;
  const out = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  switch (kind) {
    case 'bootstrap':
      return out(section(dump, 'BootstrapConfigDump'));
    case 'cluster':
      return json
        ? out(clusters(dump))
        : formatTable(
            ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE'],
            clusters(dump).map(clusterRow),
          );
    case 'listener': {
      if (json) return out(listeners(dump));
      const rows = listeners(dump).flatMap((l) => {
        const [addr, port] = address(l);
        return (l.filter_chains ?? [{}]).map((fc: Json) => [
          addr,
          port,
          chainMatch(fc),
          chainDestination(fc),
        ]);
      });
      return formatTable(['ADDRESS', 'PORT', 'MATCH', 'DESTINATION'], rows);
    }
    case 'route': {
      if (json) return out(routeConfigs(dump));
      const rows = routeConfigs(dump).flatMap((rc) =>
        (rc.virtual_hosts ?? []).flatMap((vh: Json) =>
          (vh.routes ?? []).map((r: Json) => [
            String(rc.name ?? ''),
            (vh.domains ?? []).join(','),
            routeMatch(r),
            virtualServiceOf(r),
          ]),
        ),
      );
      return formatTable(['NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'], rows);
    }
    case 'secret':
      return json
        ? out(section(dump, 'SecretsConfigDump'))
        : formatTable(['RESOURCE NAME', 'TYPE', 'STATUS'], secretRows(dump));
  }
}
