// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per area (Weft's
// src/proxy files, other Weft code, Node internals, dependencies, GC, native/program).
// Standalone: node --import tsx bench/lib/cpuprofile.ts FILE.cpuprofile [topN]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  where: string;
  area: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  /** ms of samples that were not (idle) */
  busyMs: number;
  idleMs: number;
  top: SelfTime[];
  areas: { area: string; ms: number; pct: number }[];
  files: { file: string; ms: number; pct: number }[];
}

/** Where a script lives: a short path for Weft sources (built or not), else the URL's tail. */
function place(url: string): { where: string; area: string } {
  if (!url) return { where: '', area: 'native' };
  if (url.startsWith('node:')) return { where: url, area: 'node internals' };
  const weft = /[/-](?:dist|src)\/((?:proxy|cli|util|api|xds|config|agent|security)\/.*?)\.(?:js|ts)$/.exec(
    url,
  );
  // the bench's build (tmp/weft-bench/…/dist) is Weft code too
  if (weft && (!url.includes('/node_modules/') || url.includes('/tmp/weft-bench/'))) {
    const file = `src/${weft[1]}.ts`;
    return { where: file, area: file.startsWith('src/proxy/') ? 'weft src/proxy' : 'weft other' };
  }
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return { where: nm[1]!, area: 'dependencies' };
  return { where: url.replace(/^file:\/\//, ''), area: 'other' };
}

export function summarise(profile: Profile, topN = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + dt);
  }
  const fn = new Map<string, { name: string; where: string; area: string; us: number }>();
  const areas = new Map<string, number>();
  const files = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const { where, area } = place(n.callFrame.url);
    const a = name === '(garbage collector)' ? 'GC' : name === '(program)' ? 'native/program' : area;
    const key = `${name}|${where}|${n.callFrame.lineNumber}`;
    const e = fn.get(key) ?? {
      name,
      where: where ? `${where}:${n.callFrame.lineNumber + 1}` : '',
      area: a,
      us: 0,
    };
    e.us += us;
    fn.set(key, e);
    areas.set(a, (areas.get(a) ?? 0) + us);
    if (where) files.set(where, (files.get(where) ?? 0) + us);
  }
  const pct = (us: number): number => Math.round((1000 * us) / Math.max(busy, 1)) / 10;
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    top: [...fn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({
        name: e.name,
        where: e.where,
        area: e.area,
        ms: Math.round(e.us / 1000),
        pct: pct(e.us),
      })),
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, ms: Math.round(us / 1000), pct: pct(us) })),
    files: [...files]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([file, us]) => ({ file, ms: Math.round(us / 1000), pct: pct(us) })),
  };
}

/**
 * Self time of the functions named `name`, by caller: the nearest JavaScript frame, then the
 * nearest 2 frames outside Node's internals (which tell whose socket or stream it was).
 */
export function callers(profile: Profile, name: string, top = 8): { stack: string; ms: number }[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const us = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    if (byId.get(id)?.callFrame.functionName !== name) continue;
    const frames: string[] = [];
    let outside = 0;
    for (let p = parent.get(id); p !== undefined && outside < 2; p = parent.get(p)) {
      const f = byId.get(p)!.callFrame;
      if (!f.url) continue;
      const internal = f.url.startsWith('node:');
      if (frames.length === 0 || !internal)
        frames.push(`${f.functionName || '(anonymous)'} ${place(f.url).where || f.url}`);
      if (!internal) outside++;
    }
    const k = frames.join(' < ');
    us.set(k, (us.get(k) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  return [...us]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([stack, t]) => ({ stack, ms: Math.round(t / 1000) }));
}

export function summariseFile(path: string, topN = 25): ProfileSummary {
  return summarise(JSON.parse(readFileSync(path, 'utf8')) as Profile, topN);
}

export function printSummary(s: ProfileSummary, out: (l: string) => void = console.log): void {
  out(`busy ${s.busyMs} ms, idle ${s.idleMs} ms (self time; % of busy)`);
  out('areas:');
  for (const a of s.areas)
    out(`  ${a.pct.toFixed(1).padStart(5)}%  ${String(a.ms).padStart(6)} ms  ${a.area}`);
  out('top functions (self):');
  for (const t of s.top)
    out(
      `  ${t.pct.toFixed(1).padStart(5)}%  ${String(t.ms).padStart(6)} ms  ${t.name}  ${t.where}  [${t.area}]`,
    );
  out('top files (self):');
  for (const f of s.files)
    out(`  ${f.pct.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.file}`);
}

/** The summary plus, for the top native functions, which JavaScript calls them. */
export function printFile(path: string, topN = 25, out: (l: string) => void = console.log): void {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const s = summarise(p, topN);
  printSummary(s, out);
  for (const t of s.top.filter((x) => x.area === 'native' && !x.name.startsWith('(')).slice(0, 4)) {
    out(`callers of ${t.name} (${t.ms} ms):`);
    for (const c of callers(p, t.name)) out(`  ${String(c.ms).padStart(6)} ms  ${c.stack}`);
  }
}

if (process.argv[1] && /cpuprofile\.(ts|js)$/.test(process.argv[1]) && process.argv[2]) {
  printFile(process.argv[2], Number(process.argv[3] ?? 25));
}
