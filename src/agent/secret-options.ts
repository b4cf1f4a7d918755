// The workload certificate settings Istio's pilot-agent reads from its environment, where the
// injector puts the pod's proxyMetadata: SECRET_TTL (the lifetime asked of the CA, default 24h),
// SECRET_GRACE_PERIOD_RATIO (renew when this fraction of the lifetime is left, default 0.5) and
// SECRET_GRACE_PERIOD_RATIO_JITTER (the ratio moves up or down by up to this much, default 0.01,
// so a fleet issued at once does not renew at one moment).
import { parseDuration } from '../api/schema/dsl.js';

export interface SecretOptions {
  ttlSeconds: number;
  graceRatio: number;
  graceJitter: number;
}

export const SECRET_DEFAULTS: SecretOptions = { ttlSeconds: 24 * 3600, graceRatio: 0.5, graceJitter: 0.01 };

/**
 * Reads the settings from `env`. As Istio's env parsing does, a malformed value is reported and
 * the default used, so a typo in proxyMetadata never keeps a pod from getting its certificate.
 */
export function secretOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  warn: (msg: string) => void,
): SecretOptions {
  const read = <K extends keyof SecretOptions>(
    name: string,
    key: K,
    parse: (v: string) => number | undefined,
    expecting: string,
  ): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return SECRET_DEFAULTS[key];
    const v = parse(raw);
    if (v !== undefined && Number.isFinite(v)) return v;
    warn(`invalid ${name}=${JSON.stringify(raw)}, expecting ${expecting}; using ${SECRET_DEFAULTS[key]}`);
    return SECRET_DEFAULTS[key];
  };
  const ratio = (v: string): number | undefined => {
    const n = v.trim() === '' ? NaN : Number(v);
    return n >= 0 && n <= 1 ? n : undefined;
  };
  return {
    // validity_duration is whole seconds, as Istio truncates it.
    ttlSeconds: read('SECRET_TTL', 'ttlSeconds', wholeSeconds, 'a duration of at least 1s, such as 24h'),
    graceRatio: read('SECRET_GRACE_PERIOD_RATIO', 'graceRatio', ratio, 'a number between 0 and 1'),
    graceJitter: read('SECRET_GRACE_PERIOD_RATIO_JITTER', 'graceJitter', ratio, 'a number between 0 and 1'),
  };
}

function wholeSeconds(v: string): number | undefined {
  const s = parseDuration(v);
  return s !== undefined && s >= 1 ? Math.floor(s) : undefined;
}
