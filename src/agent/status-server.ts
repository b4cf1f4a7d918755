// The agent's status ports: 15021 `/healthz/ready` (the pod's proxy readiness: the proxy has
// applied its first CDS and LDS, per its admin /ready) and 15020, which also serves the
// rewritten application probes `/app-health/<container>/readyz|livez`, the merged
// `/stats/prometheus` and POST /quitquitquit.
import http from 'node:http';
import { isIPv4 } from 'node:net';
import type { AppProbe } from './config.js';
import { mergedMetrics, type MetricsSources } from './merged-metrics.js';
import { probeHttp, probeTcp, type ProbeResult } from './probe.js';

export interface StatusServerOptions {
  podIp: string;
  adminPort: number;
  appProbers: Record<string, AppProbe>;
  /** Extra readiness condition (the workload certificate is issued). */
  ready: () => string | undefined;
  quit: () => void;
  /** 15020 only: the sources of the merged /stats/prometheus */
  metrics?: MetricsSources;
  log?: (msg: string) => void;
}

const DEFAULT_TIMEOUT_S = 1;

export async function proxyReady(adminPort: number): Promise<ProbeResult> {
  return probeHttp({ host: '127.0.0.1', port: adminPort, path: '/ready' }, 1000);
}

// Istio's prober dials the app from 127.0.0.6 (UpstreamLocalAddressIPv4): the capture rules let
// that source by, so probes reach the app directly and not through the inbound listener, where
// mTLS STRICT would reject the plaintext probe and take the pod out of its endpoints.
const PROBE_SOURCE_V4 = '127.0.0.6';

function runAppProbe(podIp: string, p: AppProbe): Promise<ProbeResult> {
  const timeout = (p.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000;
  const source = (host: string | undefined): string | undefined =>
    !host && isIPv4(podIp) ? PROBE_SOURCE_V4 : undefined;
  if ('httpGet' in p) {
    const g = p.httpGet;
    return probeHttp(
      {
        host: g.host || podIp,
        port: g.port,
        path: g.path,
        scheme: g.scheme,
        headers: g.httpHeaders,
        localAddress: source(g.host),
      },
      timeout,
    );
  }
  return probeTcp(p.tcpSocket.host || podIp, p.tcpSocket.port, timeout, source(p.tcpSocket.host));
}

export function createStatusServer(opts: StatusServerOptions): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const answer = (r: ProbeResult): void => {
      res.writeHead(r.ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(r.ok ? '' : `${r.reason}\n`);
    };
    if (req.method === 'POST' && url.pathname === '/quitquitquit') {
      res.writeHead(200).end();
      opts.quit();
      return;
    }
    if (url.pathname === '/healthz/ready') {
      const notYet = opts.ready();
      if (notYet) return answer({ ok: false, reason: notYet });
      void proxyReady(opts.adminPort).then((r) =>
        answer(r.ok ? r : { ok: false, reason: `proxy not ready: ${r.reason}` }),
      );
      return;
    }
    if (url.pathname === '/stats/prometheus' && opts.metrics) {
      void mergedMetrics(opts.metrics).then(({ text, errors }) => {
        for (const e of errors) opts.log?.(`merged metrics: ${e}`);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(text);
      });
      return;
    }
    const prober = opts.appProbers[url.pathname];
    if (prober) {
      void runAppProbe(opts.podIp, prober).then(answer);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`no such path: ${url.pathname}\n`);
  });
}
