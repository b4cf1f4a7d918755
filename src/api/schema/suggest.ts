// "did you mean" suggestions for unknown fields and enum values (edit distance, case-insensitive,
// and snake_case → camelCase, the most common slip when copying from Envoy or proto docs).

function distance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[n]!;
}

/** Returns ` (did you mean "x"?)` for the closest candidate, or '' when none is close. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const camel = input.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === camel || c.toLowerCase() === lower) return ` (did you mean "${c}"?)`;
    const d = distance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(input.length / 3));
  return best !== undefined && bestD <= limit ? ` (did you mean "${best}"?)` : '';
}
