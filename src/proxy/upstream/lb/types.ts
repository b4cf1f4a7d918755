// The load balancer contract: one instance per host list, rebuilt when membership changes.
import type { Host } from '../host.js';

export interface LbContext {
  /** From route hash_policy; undefined when the route has none. */
  hashKey?: number;
}

export interface HostPicker {
  pick(ctx: LbContext): Host | undefined;
}

/** Builds a picker over the healthy hosts of one priority (or locality). */
export type PickerFactory = (hosts: readonly Host[]) => HostPicker;

export interface Random {
  /** uniform in [0, 1) */
  next(): number;
}

export const mathRandom: Random = { next: Math.random };
