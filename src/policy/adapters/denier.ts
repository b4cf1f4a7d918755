// Mixer's denier adapter: every checknothing/listentry instance gets the configured status
// (FAILED_PRECONDITION by default); every quota instance is granted nothing.
import { pbGet } from '../../api/mixer/fields.js';
import { Code, type RpcStatus } from '../rpc-status.js';
import type { HandlerBuilder } from './types.js';

export const buildDenier: HandlerBuilder = (params) => {
  const status = pbGet(params, 'status') as { code?: number; message?: string } | undefined;
  const result: RpcStatus = status
    ? { code: status.code ?? Code.OK, message: status.message ?? '' }
    : { code: Code.FAILED_PRECONDITION, message: '' };
  return { check: () => result, quota: () => 0, close: () => {} };
};
