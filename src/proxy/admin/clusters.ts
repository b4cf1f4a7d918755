// /clusters in Envoy's text form (cluster::host::stat::value) and ?format=json.
import { HealthFlag } from '../upstream/host.js';
import type { ClusterView, HostView } from './views.js';

function healthFlags(h: HostView): string {
  const f: string[] = [];
  if (h.healthFlags & HealthFlag.FAILED_ACTIVE_HC) f.push('/failed_active_hc');
  if (h.healthFlags & HealthFlag.FAILED_OUTLIER_CHECK) f.push('/failed_outlier_check');
  if (h.healthFlags & HealthFlag.FAILED_EDS_HEALTH) f.push('/failed_eds_health');
  if (h.healthFlags & HealthFlag.DEGRADED_EDS_HEALTH) f.push('/degraded_eds_health');
  return f.length ? f.join('') : 'healthy';
}

export function clustersText(clusters: readonly ClusterView[], dynamic: (name: string) => boolean): string {
  const out: string[] = [];
  for (const c of clusters) {
    const n = c.name;
    const t = c.circuitBreakers;
    out.push(`${n}::observability_name::${n}`);
    out.push(`${n}::default_priority::max_connections::${t.max_connections?.value ?? 1024}`);
    out.push(`${n}::default_priority::max_pending_requests::${t.max_pending_requests?.value ?? 1024}`);
    out.push(`${n}::default_priority::max_requests::${t.max_requests?.value ?? 1024}`);
    out.push(`${n}::default_priority::max_retries::${t.max_retries?.value ?? 3}`);
    out.push(`${n}::added_via_api::${dynamic(n)}`);
    for (const h of c.hosts) {
      const p = `${n}::${h.key}`;
      for (const [k, v] of Object.entries(h.counters)) out.push(`${p}::${k}::${v}`);
      out.push(`${p}::hostname::${h.hostname}`);
      out.push(`${p}::health_flags::${healthFlags(h)}`);
      out.push(`${p}::weight::${h.weight}`);
      out.push(`${p}::region::${h.locality.region}`);
      out.push(`${p}::zone::${h.locality.zone}`);
      out.push(`${p}::sub_zone::${h.locality.sub_zone}`);
      out.push(`${p}::canary::false`);
      out.push(`${p}::priority::${h.priority}`);
      out.push(`${p}::success_rate::-1`);
      out.push(`${p}::local_origin_success_rate::-1`);
    }
  }
  return out.join('\n') + '\n';
}

export function clustersJson(clusters: readonly ClusterView[], dynamic: (name: string) => boolean): object {
  return {
    cluster_statuses: clusters.map((c) => ({
      name: c.name,
      observability_name: c.name,
      added_via_api: dynamic(c.name),
      host_statuses: c.hosts.map((h) => ({
        address: { socket_address: { address: h.address, port_value: h.port } },
        stats: Object.entries(h.counters).map(([name, value]) =>
          name.endsWith('_active')
            ? { type: 'GAUGE', name, value: String(value) }
            : { name, value: String(value) },
        ),
        health_status: {
          eds_health_status: h.edsHealth,
          ...(h.healthFlags & HealthFlag.FAILED_ACTIVE_HC ? { failed_active_health_check: true } : {}),
          ...(h.healthFlags & HealthFlag.FAILED_OUTLIER_CHECK ? { failed_outlier_check: true } : {}),
        },
        weight: h.weight,
        hostname: h.hostname,
        priority: h.priority,
        locality: h.locality,
      })),
    })),
  };
}
