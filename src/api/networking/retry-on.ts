// HTTPRetry.retryOn: Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on policies, or HTTP status
// codes, comma separated (Istio agent.ValidateHTTPRetry).
import { STATUS_CODES } from 'node:http';
import type { Path, Sink } from '../schema/dsl.js';

export const RETRY_ON_POLICIES: ReadonlySet<string> = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

export function checkRetryOn(retryOn: string, path: Path, sink: Sink): void {
  for (const policy of retryOn.split(',')) {
    // A known HTTP status code ("503") is also accepted, as Go's http.StatusText does.
    const isStatus = /^\d+$/.test(policy) && STATUS_CODES[Number(policy)] !== undefined;
    if (!isStatus && !RETRY_ON_POLICIES.has(policy))
      sink.error(path, `"${policy}" is not a valid retryOn policy`);
  }
}
