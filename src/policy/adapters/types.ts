// What a compiled Mixer adapter looks like to the policy engine: a handler built from its params
// that answers CHECK instances (Mixer's adapter.CheckResult) and is closed when config replaces it.
import type { MixerValue } from '../../api/mixer/index.js';
import type { RpcStatus } from '../rpc-status.js';

export interface CheckResult {
  status: RpcStatus;
  validDurationMs: number;
  validUseCount: number;
}

/** An instance's fields as its template's expressions evaluated them. */
export type InstanceValues = Readonly<Record<string, MixerValue | Readonly<Record<string, MixerValue>>>>;

export interface PolicyHandler {
  check(template: string, instance: InstanceValues): CheckResult;
  close(): void;
}

export type Params = Readonly<Record<string, unknown>>;

/** Builds a handler; throws when the params cannot make one (Mixer's Validate/Build errors). */
export type HandlerBuilder = (params: Params, env: AdapterEnv) => PolicyHandler;

export interface AdapterEnv {
  log(level: 'info' | 'warn' | 'error', msg: string): void;
}
