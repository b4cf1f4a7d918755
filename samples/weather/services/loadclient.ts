// load client: fires N requests over C keep-alive connections and reports status-code counts
// and latency percentiles as JSON (fortio's role when fortio is not installed).
// Usage: loadclient.ts -c 10 -n 100 [-H 'name: value']… [-m METHOD] URL
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    c: { type: 'string', default: '1' },
    n: { type: 'string', default: '10' },
    H: { type: 'string', multiple: true, default: [] },
    m: { type: 'string', default: 'GET' },
  },
});
const target = positionals[0];
if (!target) {
  console.error('usage: loadclient -c CONCURRENCY -n REQUESTS [-H "name: value"] URL');
  process.exit(2);
}
const headers: Record<string, string> = {};
for (const h of values.H ?? []) {
  const i = h.indexOf(':');
  if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
}
const concurrency = Math.max(1, Number(values.c));
const total = Math.max(0, Number(values.n));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const codes: Record<string, number> = {};
const latencies: number[] = [];
let started = 0;

function one(): Promise<void> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(target!, { method: values.m, headers, agent, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        codes[String(res.statusCode)] = (codes[String(res.statusCode)] ?? 0) + 1;
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      codes['-1'] = (codes['-1'] ?? 0) + 1;
      resolve();
    });
    req.end();
  });
}

async function worker(): Promise<void> {
  while (started < total) {
    started++;
    await one();
  }
}

const t0 = Date.now();
await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number): number =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    url: target,
    requests: total,
    concurrency,
    codes,
    durationMs: Date.now() - t0,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
  }),
);
