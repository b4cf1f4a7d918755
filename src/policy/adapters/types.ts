// What a compiled Mixer adapter looks like to the policy engine: a handler built from its params
// that answers CHECK instances with a status and/or QUOTA instances with the amount granted, and
// is closed when config replaces it. (Mixer's validDuration/validUseCount only fed the proxy's
// check cache; Weft's ext_authz asks on every request, so they are not carried.)
import type { MixerValue } from '../../api/mixer/index.js';
import type { RpcStatus } from '../rpc-status.js';

/** An instance's fields as its template's expressions evaluated them. */
export type InstanceValues = Readonly<Record<string, MixerValue | Readonly<Record<string, MixerValue>>>>;

/** A QUOTA instance: its fully qualified name (memquota keys limits by it) and its fields. */
export interface QuotaInstance {
  name: string;
  values: InstanceValues;
}

export interface PolicyHandler {
  check?(template: string, instance: InstanceValues): RpcStatus;
  /** What was granted of the amount asked for; less means the quota is exhausted. */
  quota?(instance: QuotaInstance, amount: number): number;
  close(): void;
}

export type Params = Readonly<Record<string, unknown>>;

/** Builds a handler; throws when the params cannot make one (Mixer's Validate/Build errors). */
export type HandlerBuilder = (params: Params, env: AdapterEnv) => PolicyHandler;

export interface AdapterEnv {
  log(level: 'info' | 'warn' | 'error', msg: string): void;
}
