// Scraping a pod's Prometheus endpoints (the proxy's 15090, the agent's merged 15020) from
// inside its network namespace with `weft exec`, and summing the samples of one metric whose
// labels include a given set — what a Prometheus query would return.
import type { TestMesh } from './mesh.js';

/** GET http://127.0.0.1:<port>/stats/prometheus inside a pod of `deploy` in `ns`. */
export function scrapePod(mesh: TestMesh, ns: string, deploy: string, port: 15090 | 15020): Promise<string> {
  const script = `const r = await fetch('http://127.0.0.1:${port}/stats/prometheus');
if (!r.ok) { console.error('HTTP ' + r.status); process.exit(1); }
process.stdout.write(await r.text());`;
  return mesh.scriptIn(ns, deploy, script);
}

function labelsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out.set(m[1]!, m[2]!);
  return out;
}

/** The sum of `metric`'s samples whose labels include every pair of `want` (0 when none match). */
export function sumSamples(exposition: string, metric: string, want: Record<string, string>): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== metric) continue;
    const labels = labelsOf(m[2] ?? '');
    if (Object.entries(want).every(([k, v]) => labels.get(k) === v)) sum += Number(m[3]);
  }
  return sum;
}
