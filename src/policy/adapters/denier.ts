// Mixer's denier adapter: every checknothing/listentry instance gets the configured status
// (FAILED_PRECONDITION by default), cached by the client for validDuration/validUseCount; every
// quota instance is granted nothing.
import { pbGet } from '../../api/mixer/fields.js';
import { Code } from '../rpc-status.js';
import { durationMs } from './params.js';
import type { CheckResult, HandlerBuilder } from './types.js';

export const buildDenier: HandlerBuilder = (params) => {
  const status = pbGet(params, 'status') as { code?: number; message?: string } | undefined;
  const result: CheckResult = {
    status: status
      ? { code: status.code ?? Code.OK, message: status.message ?? '' }
      : { code: Code.FAILED_PRECONDITION, message: '' },
    validDurationMs: durationMs(pbGet(params, 'valid_duration'), 5000),
    validUseCount: (pbGet(params, 'valid_use_count') as number | undefined) ?? 1000,
  };
  return { check: () => result, quota: () => ({ granted: 0, validDurationMs: 0 }), close: () => {} };
};
