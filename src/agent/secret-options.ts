// The workload certificate settings Istio's pilot-agent reads from its environment, where the
// injector puts the pod's proxyMetadata: SECRET_TTL (the lifetime asked of the CA, default 24h),
// SECRET_GRACE_PERIOD_RATIO (renew when this fraction of the lifetime is left, default 0.5) and
// SECRET_GRACE_PERIOD_RATIO_JITTER (the ratio moves up or down by up to this much, default 0.01,
// so a fleet issued at once does not renew at one moment).
import { envSetting, wholeSeconds, type Env } from '../util/env-settings.js';

export interface SecretOptions {
  ttlSeconds: number;
  graceRatio: number;
  graceJitter: number;
}

export const SECRET_DEFAULTS: SecretOptions = { ttlSeconds: 24 * 3600, graceRatio: 0.5, graceJitter: 0.01 };

/** Reads the settings from `env` (a malformed value is reported and its default used). */
export function secretOptionsFromEnv(env: Env, warn: (msg: string) => void): SecretOptions {
  const ratio = (v: string): number | undefined => {
    const n = v.trim() === '' ? NaN : Number(v);
    return n >= 0 && n <= 1 ? n : undefined;
  };
  const d = SECRET_DEFAULTS;
  const between = 'a number between 0 and 1';
  return {
    // validity_duration is whole seconds, as Istio truncates it.
    ttlSeconds: envSetting(
      env,
      'SECRET_TTL',
      d.ttlSeconds,
      wholeSeconds,
      'a duration of at least 1s, such as 24h',
      warn,
    ),
    graceRatio: envSetting(env, 'SECRET_GRACE_PERIOD_RATIO', d.graceRatio, ratio, between, warn),
    graceJitter: envSetting(env, 'SECRET_GRACE_PERIOD_RATIO_JITTER', d.graceJitter, ratio, between, warn),
  };
}
