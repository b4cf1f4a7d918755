// istiod's workload certificate lifetimes, from its environment as in Istio:
// DEFAULT_WORKLOAD_CERT_TTL (24h: what a CSR that asks for no lifetime gets) and
// MAX_WORKLOAD_CERT_TTL (90 days: a longer request is refused).
import { envSetting, wholeSeconds, type Env } from '../util/env-settings.js';

export interface WorkloadTtl {
  defaultS: number;
  maxS: number;
}

export const WORKLOAD_TTL_DEFAULTS: WorkloadTtl = Object.freeze({
  defaultS: 24 * 3600,
  maxS: 90 * 24 * 3600,
});

export function workloadTtlFromEnv(env: Env, warn: (msg: string) => void): WorkloadTtl {
  const d = WORKLOAD_TTL_DEFAULTS;
  const expecting = 'a duration of at least 1s, such as 24h';
  const maxS = envSetting(env, 'MAX_WORKLOAD_CERT_TTL', d.maxS, wholeSeconds, expecting, warn);
  const defaultS = envSetting(env, 'DEFAULT_WORKLOAD_CERT_TTL', d.defaultS, wholeSeconds, expecting, warn);
  if (defaultS <= maxS) return { defaultS, maxS };
  warn(`DEFAULT_WORKLOAD_CERT_TTL (${defaultS}s) is above MAX_WORKLOAD_CERT_TTL (${maxS}s); using ${maxS}s`);
  return { defaultS: maxS, maxS };
}
