// /stats text (Envoy "name: value", sorted) and /stats/prometheus (envoy_ prefix, tags from the
// scope, response-code classes split out as Envoy's default tag extractors do; stats in a custom
// namespace such as Istio's `istiocustom.` keep their own name and tags, as Envoy renders them).
import { HISTOGRAM_BUCKETS, type StatsStore, type Tags } from './store.js';

export function renderText(store: StatsStore, filter?: RegExp, usedOnly = false): string {
  const lines: string[] = [];
  for (const c of store.counters.values())
    if ((!usedOnly || c.value) && (!filter || filter.test(c.name))) lines.push(`${c.name}: ${c.value}`);
  for (const g of store.gauges.values())
    if ((!usedOnly || g.value) && (!filter || filter.test(g.name))) lines.push(`${g.name}: ${g.value}`);
  for (const h of store.histograms.values()) {
    if ((usedOnly && !h.count) || (filter && !filter.test(h.name))) continue;
    lines.push(`${h.name}: ${h.count ? `count=${h.count} sum=${h.sum.toFixed(1)}` : 'No recorded values'}`);
  }
  return lines.sort().join('\n') + '\n';
}

export function renderJson(store: StatsStore): object {
  const stats: { name: string; value: number }[] = [];
  for (const c of store.counters.values()) stats.push({ name: c.name, value: c.value });
  for (const g of store.gauges.values()) stats.push({ name: g.name, value: g.value });
  stats.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { stats };
}

function sanitize(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Envoy's custom stat namespace Istio registers for its standard metrics. */
export const ISTIO_STAT_NAMESPACE = 'istiocustom';
const CUSTOM_NAMESPACES = [`${ISTIO_STAT_NAMESPACE}.`];

/** Envoy base name + tags → prometheus metric name and label set. */
function promName(base: string, tags: Tags): [string, [string, string][]] {
  const labels: [string, string][] = tags.map(([k, v]) => [k, v]);
  const ns = CUSTOM_NAMESPACES.find((p) => base.startsWith(p));
  if (ns) return [sanitize(base.slice(ns.length)), labels];
  let name = base;
  const cls = /^(.*_r[qs])_([1-5])xx$/.exec(name);
  const code = /^(.*_rq)_(\d{3})$/.exec(name);
  if (cls) {
    name = `${cls[1]}_xx`;
    labels.push(['envoy_response_code_class', cls[2]!]);
  } else if (code) {
    name = code[1]!;
    labels.push(['envoy_response_code', code[2]!]);
  }
  return [`envoy_${sanitize(name)}`, labels];
}

function labelText(labels: [string, string][]): string {
  return labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
}

export function renderPrometheus(store: StatsStore): string {
  const groups = new Map<string, { type: string; lines: string[] }>();
  const add = (name: string, type: string, line: string): void => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { type, lines: [] }));
    g.lines.push(line);
  };
  for (const c of store.counters.values()) {
    const [n, l] = promName(c.base, c.tags);
    add(n, 'counter', `${n}${labelText(l)} ${c.value}`);
  }
  for (const g of store.gauges.values()) {
    const [n, l] = promName(g.base, g.tags);
    add(n, 'gauge', `${n}${labelText(l)} ${g.value}`);
  }
  for (const h of store.histograms.values()) {
    const [n, l] = promName(h.base, h.tags);
    let cum = 0;
    HISTOGRAM_BUCKETS.forEach((b, i) => {
      cum += h.counts[i]!;
      add(n, 'histogram', `${n}_bucket${labelText([...l, ['le', String(b)]])} ${cum}`);
    });
    add(n, 'histogram', `${n}_bucket${labelText([...l, ['le', '+Inf']])} ${h.count}`);
    add(n, 'histogram', `${n}_sum${labelText(l)} ${h.sum}`);
    add(n, 'histogram', `${n}_count${labelText(l)} ${h.count}`);
  }
  let out = '';
  for (const [n, g] of [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    out += `# TYPE ${n} ${g.type}\n${g.lines.join('\n')}\n`;
  return out;
}
