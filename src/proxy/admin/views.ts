// Plain-data views of a worker's clusters, so /clusters can be rendered from one process or
// summed over several (the main process aggregates what workers report).
import type { Cluster } from '../upstream/cluster.js';
import type { Locality } from '../upstream/host.js';

export interface HostView {
  key: string;
  address: string;
  port: number;
  hostname: string;
  weight: number;
  priority: number;
  locality: Locality;
  edsHealth: string;
  healthFlags: number;
  counters: Record<
    | 'cx_active'
    | 'cx_connect_fail'
    | 'cx_total'
    | 'rq_active'
    | 'rq_error'
    | 'rq_success'
    | 'rq_timeout'
    | 'rq_total',
    number
  >;
}

export interface ClusterView {
  name: string;
  circuitBreakers: Record<string, { value?: number } | undefined>;
  hosts: HostView[];
}

export function clusterView(c: Cluster): ClusterView {
  return {
    name: c.config.name,
    circuitBreakers: (c.config.circuitBreakers?.thresholds?.[0] ?? {}) as ClusterView['circuitBreakers'],
    hosts: c.hostSets.flatMap((s) =>
      s.hosts.map((h) => ({
        key: h.key,
        address: h.address,
        port: h.port,
        hostname: h.hostname,
        weight: h.weight,
        priority: h.priority,
        locality: h.locality,
        edsHealth: h.edsHealth,
        healthFlags: h.healthFlags,
        counters: {
          cx_active: h.cxActive,
          cx_connect_fail: h.cxConnectFail,
          cx_total: h.cxTotal,
          rq_active: h.activeRequests,
          rq_error: h.rqError,
          rq_success: h.rqSuccess,
          rq_timeout: h.rqTimeout,
          rq_total: h.rqTotal,
        },
      })),
    ),
  };
}

/** Sums host counters of the same cluster/host across workers. */
export function mergeClusterViews(perWorker: ClusterView[][]): ClusterView[] {
  const out = new Map<string, ClusterView>();
  for (const views of perWorker)
    for (const v of views) {
      const cur = out.get(v.name);
      if (!cur) {
        out.set(v.name, structuredClone(v));
        continue;
      }
      for (const h of v.hosts) {
        const ch = cur.hosts.find((x) => x.key === h.key && x.priority === h.priority);
        if (!ch) cur.hosts.push(structuredClone(h));
        else
          for (const k of Object.keys(h.counters) as (keyof HostView['counters'])[])
            ch.counters[k] += h.counters[k];
      }
    }
  return [...out.values()];
}
