// google.protobuf.Duration from the duration strings Istio config uses ("1s", "100ms", "1.5s", "2m", "1h").

export interface Duration {
  seconds: number;
  nanos: number;
}

const UNIT_NANOS: Record<string, number> = { h: 3600e9, m: 60e9, s: 1e9, ms: 1e6, us: 1e3, µs: 1e3, ns: 1 };

/** Parses a Go-style duration ("1h2m3.5s", "250ms"); throws on malformed input. */
export function parseDuration(text: string): Duration {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_NANOS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched !== text.length || text === '') throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return fromMillis(total / 1e6);
}

export function fromMillis(ms: number): Duration {
  const nanosTotal = Math.round(ms * 1e6);
  return { seconds: Math.floor(nanosTotal / 1e9), nanos: nanosTotal % 1e9 };
}
