// Load generators for HTTP benchmarks: wrk (max throughput, closed loop) and fortio (fixed QPS,
// the way Istio measures added latency). Both are bounded in time; results are parsed to numbers.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc.js';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  /** ms */
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function toMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60000 : n;
}

/** wrk -t1 -cC -dDs --latency [extra…] URL */
export async function wrk(
  bin: string,
  url: string,
  conns: number,
  secs: number,
  extra: string[] = [],
): Promise<WrkResult> {
  const r = await run(
    bin,
    ['-t1', `-c${conns}`, `-d${secs}s`, '--latency', ...extra, url],
    (secs + 20) * 1000,
  );
  if (r.code !== 0) throw new Error(`wrk failed (${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr}`);
  const o = r.stdout;
  const pct = (p: number): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(o);
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(o);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(o);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(o);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(o);
  if (!done || !rps) throw new Error(`cannot parse wrk output:\n${o}`);
  return {
    requests: Number(done[1]),
    seconds: toMs(done[2]!, done[3]!) / 1000,
    rps: Number(rps[1]),
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    errors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
  };
}

export interface FortioResult {
  requests: number;
  qps: number;
  /** ms */
  p50: number;
  p90: number;
  p99: number;
  avg: number;
  errors: number;
}

/** fortio load -qps Q -c C -t Ts -p 50,90,99 URL (HTTP/1.1 keep-alive, fortio's own client). */
export async function fortio(
  bin: string,
  url: string,
  qps: number,
  conns: number,
  secs: number,
  tmp: string,
  extra: string[] = [],
): Promise<FortioResult> {
  const out = join(tmp, `fortio-${process.pid}-${Date.now()}.json`);
  const args = ['load', '-qps', String(qps), '-c', String(conns), '-t', `${secs}s`, '-p', '50,90,99'];
  const r = await run(bin, [...args, ...extra, '-json', out, '-quiet', url], (secs + 30) * 1000);
  if (r.code !== 0)
    throw new Error(`fortio failed (${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.slice(-2000)}`);
  const d = JSON.parse(readFileSync(out, 'utf8')) as {
    ActualQPS: number;
    RetCodes: Record<string, number>;
    DurationHistogram: { Count: number; Avg: number; Percentiles: { Percentile: number; Value: number }[] };
  };
  rmSync(out, { force: true });
  const h = d.DurationHistogram;
  const p = (n: number): number => (h.Percentiles.find((x) => x.Percentile === n)?.Value ?? NaN) * 1000;
  const ok = d.RetCodes['200'] ?? 0;
  return {
    requests: h.Count,
    qps: d.ActualQPS,
    p50: p(50),
    p90: p(90),
    p99: p(99),
    avg: h.Avg * 1000,
    errors: h.Count - ok,
  };
}
