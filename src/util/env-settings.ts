// Settings Istio's components read from their environment (pilot-agent's SECRET_TTL, istiod's
// DEFAULT_WORKLOAD_CERT_TTL, …). As Istio's env parsing does, a malformed value is reported and
// the default used, so a typo never stops a component from starting.
import { parseDuration } from '../api/schema/dsl.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** `env[name]` through `parse`; the default when unset, or (with a warning) when it does not parse. */
export function envSetting(
  env: Env,
  name: string,
  def: number,
  parse: (v: string) => number | undefined,
  expecting: string,
  warn: (msg: string) => void,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = parse(raw);
  if (v !== undefined && Number.isFinite(v)) return v;
  warn(`invalid ${name}=${JSON.stringify(raw)}, expecting ${expecting}; using ${def}`);
  return def;
}

/** A Go-style duration ("24h", "90m") as whole seconds, at least 1 (certificate lifetimes are whole seconds). */
export function wholeSeconds(v: string): number | undefined {
  const s = parseDuration(v);
  return s !== undefined && s >= 1 ? Math.floor(s) : undefined;
}
