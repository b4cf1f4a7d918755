// What a compiled Mixer adapter looks like to the policy engine: a handler built from its params
// that answers CHECK instances (adapter.CheckResult) and/or QUOTA instances (adapter.QuotaResult),
// and is closed when config replaces it.
import type { MixerValue } from '../../api/mixer/index.js';
import type { RpcStatus } from '../rpc-status.js';

export interface CheckResult {
  status: RpcStatus;
  validDurationMs: number;
  validUseCount: number;
}

/** An instance's fields as its template's expressions evaluated them. */
export type InstanceValues = Readonly<Record<string, MixerValue | Readonly<Record<string, MixerValue>>>>;

export interface QuotaResult {
  /** What was granted of the amount asked for; less means the quota is exhausted. */
  granted: number;
  validDurationMs: number;
}

/** A QUOTA instance: its fully qualified name (memquota keys limits by it) and its fields. */
export interface QuotaInstance {
  name: string;
  values: InstanceValues;
}

export interface PolicyHandler {
  check?(template: string, instance: InstanceValues): CheckResult;
  quota?(instance: QuotaInstance, amount: number): QuotaResult;
  close(): void;
}

export type Params = Readonly<Record<string, unknown>>;

/** Builds a handler; throws when the params cannot make one (Mixer's Validate/Build errors). */
export type HandlerBuilder = (params: Params, env: AdapterEnv) => PolicyHandler;

export interface AdapterEnv {
  log(level: 'info' | 'warn' | 'error', msg: string): void;
}
