// pilot-agent's merged Prometheus endpoint (15020 /stats/prometheus): the proxy's metrics from
// its 15090 listener, the agent's own (istio_agent_*), and the application's when the pod is
// annotated for scraping (prometheus.io/scrape, port, path) — one scrape target per pod.
import type { AgentConfig } from './config.js';
import { PROMETHEUS_PORT } from './bootstrap.js';

const SCRAPE_TIMEOUT_MS = 5000;

export interface MetricsSources {
  /** the proxy's Prometheus listener */
  proxy: string;
  /** the application's metrics endpoint, when annotated */
  app?: string;
}

/** Where the merged endpoint reads from, per Istio's prometheus.io annotations. */
export function metricsSources(cfg: Pick<AgentConfig, 'podIp' | 'annotations'>): MetricsSources {
  const a = cfg.annotations;
  const proxy = `http://127.0.0.1:${PROMETHEUS_PORT}/stats/prometheus`;
  if (a['prometheus.io/scrape'] !== 'true' || !a['prometheus.io/port']) return { proxy };
  const host = cfg.podIp.includes(':') ? `[${cfg.podIp}]` : cfg.podIp;
  const path = a['prometheus.io/path'] || '/metrics';
  return {
    proxy,
    app: `http://${host}:${a['prometheus.io/port']}${path.startsWith('/') ? path : `/${path}`}`,
  };
}

/** The agent process, as Prometheus' process collector names it under istio_agent_. */
function agentMetrics(): string {
  const cpu = process.cpuUsage();
  const startSeconds = Math.round((Date.now() - process.uptime() * 1000) / 1000);
  return [
    '# TYPE istio_agent_process_cpu_seconds_total counter',
    `istio_agent_process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    '# TYPE istio_agent_process_resident_memory_bytes gauge',
    `istio_agent_process_resident_memory_bytes ${process.memoryUsage().rss}`,
    '# TYPE istio_agent_process_start_time_seconds gauge',
    `istio_agent_process_start_time_seconds ${startSeconds}`,
    '',
  ].join('\n');
}

async function scrape(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const text = await r.text();
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

/** Proxy + agent (+ app) metrics; a source that fails is left out and reported in `errors`. */
export async function mergedMetrics(src: MetricsSources): Promise<{ text: string; errors: string[] }> {
  const errors: string[] = [];
  const part = (url: string | undefined): Promise<string> =>
    url
      ? scrape(url).catch((e: Error) => {
          errors.push(e.message);
          return '';
        })
      : Promise.resolve('');
  const [proxy, app] = await Promise.all([part(src.proxy), part(src.app)]);
  return { text: proxy + agentMetrics() + app, errors };
}
