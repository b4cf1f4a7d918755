import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { mergedMetrics, metricsSources } from './merged-metrics.js';

let server: http.Server;
let base = '';

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/stats/prometheus')
      res.end('# TYPE istio_requests_total counter\nistio_requests_total{reporter="destination"} 3');
    else if (req.url === '/metrics') res.end('# TYPE app_hits counter\napp_hits 7\n');
    else res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('sources: the proxy always; the app only when annotated for scraping', () => {
  const podIp = '10.244.0.7';
  assert.deepEqual(metricsSources({ podIp, annotations: {} }), {
    proxy: 'http://127.0.0.1:15090/stats/prometheus',
  });
  assert.equal(
    metricsSources({ podIp, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' } })
      .app,
    'http://10.244.0.7:9090/metrics',
  );
  assert.equal(
    metricsSources({
      podIp,
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
        'prometheus.io/path': 'm',
      },
    }).app,
    'http://10.244.0.7:8080/m',
  );
  assert.equal(
    metricsSources({ podIp, annotations: { 'prometheus.io/scrape': 'false', 'prometheus.io/port': '1' } })
      .app,
    undefined,
  );
});

test('merges proxy, agent and app exposition; a failing source is left out and reported', async () => {
  const all = await mergedMetrics({ proxy: `${base}/stats/prometheus`, app: `${base}/metrics` });
  assert.deepEqual(all.errors, []);
  const lines = all.text.split('\n');
  assert.ok(lines.includes('istio_requests_total{reporter="destination"} 3'), all.text);
  assert.ok(lines.includes('app_hits 7'), all.text);
  assert.ok(
    lines.some((l) => /^istio_agent_process_start_time_seconds \d+$/.test(l)),
    all.text,
  );
  // Each part ends its own lines, so no two samples run together.
  assert.ok(all.text.indexOf('} 3\n# TYPE istio_agent') >= 0, all.text);

  const broken = await mergedMetrics({ proxy: `${base}/stats/prometheus`, app: `${base}/nope` });
  assert.equal(broken.errors.length, 1);
  assert.match(broken.errors[0]!, /HTTP 500/);
  assert.ok(broken.text.includes('istio_requests_total'));
  assert.ok(!broken.text.includes('app_hits'));
});
