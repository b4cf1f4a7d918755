// VirtualService retries → Envoy RetryPolicy (Istio core/route/retry): Istio's default policy when
// none is set, none when attempts is 0, status codes in retryOn as retriable_status_codes.
import type { HTTPRetry } from '../../../registry/specs.js';
import { parseDuration } from '../../proto/duration.js';
import { typed, Types } from '../common.js';

const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

const PREVIOUS_HOSTS = [
  { name: 'envoy.retry_host_predicates.previous_hosts', typed_config: typed(Types.previousHosts) },
];

/** Istio's policy for routes without `retries`; never mutated. */
export const DEFAULT_RETRY_POLICY = Object.freeze({
  retry_on: DEFAULT_RETRY_ON,
  num_retries: { value: 2 },
  retriable_status_codes: [503],
  retry_host_predicate: PREVIOUS_HOSTS,
  host_selection_retry_max_attempts: 5,
});

export function retryPolicy(retries: HTTPRetry | undefined): object | undefined {
  if (!retries) return DEFAULT_RETRY_POLICY;
  if (!retries.attempts) return undefined;
  const on = (retries.retryOn ?? DEFAULT_RETRY_ON)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const codes = on.filter((s) => /^\d+$/.test(s)).map(Number);
  const policies = on.filter((s) => !/^\d+$/.test(s));
  if (codes.length > 0 && !policies.includes('retriable-status-codes'))
    policies.push('retriable-status-codes');
  return {
    retry_on: policies.join(','),
    num_retries: { value: retries.attempts },
    ...(codes.length > 0
      ? { retriable_status_codes: codes }
      : policies.includes('retriable-status-codes')
        ? { retriable_status_codes: [503] }
        : {}),
    ...(retries.perTryTimeout ? { per_try_timeout: parseDuration(retries.perTryTimeout) } : {}),
    retry_host_predicate: PREVIOUS_HOSTS,
    host_selection_retry_max_attempts: 5,
    ...(retries.retryRemoteLocalities
      ? {
          retry_priority: {
            name: 'envoy.retry_priorities.previous_priorities',
            typed_config: typed(Types.previousPriorities, { update_frequency: 2 }),
          },
        }
      : {}),
  };
}
