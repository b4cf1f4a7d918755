// Control-plane knobs read from Istio's environment variables, so users tune Weft as they tune
// istiod: PILOT_DEBOUNCE_AFTER, PILOT_DEBOUNCE_MAX (Go durations), PILOT_PUSH_THROTTLE.
import { DEFAULT_DEBOUNCE, parseGoDuration } from '../xds/server/debounce.js';

export interface PushSettings {
  debounce: { after: number; max: number };
  pushConcurrency: number;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const ms = parseGoDuration(raw);
  if (ms === undefined) throw new Error(`${name}=${raw} is not a duration (e.g. 100ms, 10s)`);
  return ms;
}

export function pushSettings(env: NodeJS.ProcessEnv = process.env): PushSettings {
  const throttle = env.PILOT_PUSH_THROTTLE ? Number(env.PILOT_PUSH_THROTTLE) : 100;
  if (!Number.isInteger(throttle) || throttle < 1)
    throw new Error(`PILOT_PUSH_THROTTLE=${env.PILOT_PUSH_THROTTLE} is not a positive integer`);
  return {
    debounce: {
      after: duration(env, 'PILOT_DEBOUNCE_AFTER', DEFAULT_DEBOUNCE.after),
      max: duration(env, 'PILOT_DEBOUNCE_MAX', DEFAULT_DEBOUNCE.max),
    },
    pushConcurrency: throttle,
  };
}
