// How every benchmark reports: one JSON line per measurement (with the load average), `# ` notes,
// and the rounding and medians its summaries use.
import { loadavg } from 'node:os';

/** The 1, 5 and 15 minute load averages, to two places. */
export const load = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);

/** A JSON-lines emitter tagged with the benchmark's name and the load at the time. */
export const emitter =
  (bench: string) =>
  (o: object): void =>
    console.log(JSON.stringify({ bench, ...o, load: load() }));

export const note = (s: string): void => console.log(`# ${s}`);

/** The median of the finite values, NaN when there are none. */
export const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const r1 = (x: number): number => Math.round(x * 10) / 10;
export const r3 = (x: number): number => Math.round(x * 1000) / 1000;
