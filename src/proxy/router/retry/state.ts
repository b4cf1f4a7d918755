// Per-request retry state (Envoy RetryStateImpl): merges the route policy with the request's
// x-envoy-retry-* headers, decides whether a response, reset or per-try timeout is retried,
// keeps the retry budget, the cluster's max_retries breaker and the retry stats.
import type { HeaderMap } from '../../http/header-map.js';
import type { StreamInfo } from '../../http/stream-info.js';
import type { ResetReason } from '../../upstream/pool/types.js';
import type { Host } from '../../upstream/host.js';
import type { MatchRequest } from '../match/request.js';
import { JitteredBackOff } from './backoff.js';
import { DEFAULT_RETRY_POLICY, GRPC_RETRY_ON, parseRetryOn, RetryOn, type RetryPolicy } from './policy.js';
import type { Counter } from '../../stats/store.js';

const H = {
  on: 'x-envoy-retry-on',
  grpcOn: 'x-envoy-retry-grpc-on',
  max: 'x-envoy-max-retries',
  codes: 'x-envoy-retriable-status-codes',
  headerNames: 'x-envoy-retriable-header-names',
  perTry: 'x-envoy-upstream-rq-per-try-timeout-ms',
} as const;

const HEADER_NAMES = Object.values(H);

const RESET_CONDITIONS = RetryOn['5xx'] | RetryOn['gateway-error'] | RetryOn.reset;

export type RetryDecision = 'retry' | 'no';

/** What retries need from the cluster: its retry stats and the max_retries circuit breaker. */
export interface ClusterRetryResources {
  readonly stats: {
    readonly upstream_rq_retry: Counter;
    readonly upstream_rq_retry_success: Counter;
    readonly upstream_rq_retry_overflow: Counter;
    readonly upstream_rq_retry_limit_exceeded: Counter;
  };
  tryAcquireRetry(): boolean;
  releaseRetry(): void;
}

/** Response headers seen through the matcher interface used for retriable_headers. */
function responseView(status: number, headers: HeaderMap): MatchRequest {
  return {
    method: '',
    path: '',
    authority: '',
    scheme: '',
    header: (n) => (n === ':status' ? String(status) : headers.get(n)),
  };
}

export class RetryState {
  private remaining: number;
  private readonly retryOn: number;
  private readonly codes: ReadonlySet<number>;
  private readonly headerNames: readonly string[];
  /** made on the first retry: most requests never need one */
  private backOff: JitteredBackOff | undefined;
  /** holding one unit of the cluster's retry resource (between a retry decision and its result) */
  private holding = false;
  private retried = 0;
  readonly perTryTimeoutMs: number;
  /** hosts already attempted, for the previous_hosts predicate */
  readonly attempted: Host[] = [];

  /**
   * The state for a request, or undefined when neither the route nor the request asks for
   * retries. Removes the x-envoy-retry-* request headers (they never go upstream).
   */
  static create(
    policy: RetryPolicy | undefined,
    headers: HeaderMap,
    resources: ClusterRetryResources,
    random: () => number,
  ): RetryState | undefined {
    const on = headers.get(H.on);
    const grpcOn = headers.get(H.grpcOn);
    const max = headers.get(H.max);
    const codes = headers.get(H.codes);
    const names = headers.get(H.headerNames);
    const perTry = headers.get(H.perTry);
    for (const n of HEADER_NAMES) headers.remove(n);
    const bits = (policy?.retryOn ?? 0) | parseRetryOn(on) | parseRetryOn(grpcOn);
    if (bits === 0) return undefined;
    return new RetryState(policy ?? DEFAULT_RETRY_POLICY, bits, resources, random, {
      max: max !== undefined && /^\d+$/.test(max) ? Number(max) : undefined,
      codes,
      names,
      perTry: perTry !== undefined && /^\d+$/.test(perTry) ? Number(perTry) : undefined,
    });
  }

  private constructor(
    readonly policy: RetryPolicy,
    retryOn: number,
    private readonly resources: ClusterRetryResources,
    private readonly random: () => number,
    o: { max?: number; codes?: string; names?: string; perTry?: number },
  ) {
    this.retryOn = retryOn;
    this.remaining = o.max ?? policy.numRetries;
    this.perTryTimeoutMs = o.perTry ?? policy.perTryTimeoutMs;
    if (o.codes) {
      const s = new Set(policy.retriableStatusCodes);
      for (const c of o.codes.split(',')) if (/^\s*\d+\s*$/.test(c)) s.add(Number(c));
      this.codes = s;
    } else this.codes = policy.retriableStatusCodes;
    this.headerNames = o.names ? o.names.split(',').map((n) => n.trim().toLowerCase()) : [];
  }

  private wouldRetryResponse(status: number, headers: HeaderMap): boolean {
    // An upstream that says it is overloaded is never retried.
    if (headers.get('x-envoy-overloaded') !== undefined) return false;
    const on = this.retryOn;
    if (on & RetryOn['5xx'] && status >= 500) return true;
    if (on & RetryOn['gateway-error'] && status >= 502 && status <= 504) return true;
    if (on & RetryOn['retriable-4xx'] && status === 409) return true;
    if (on & RetryOn['retriable-status-codes'] && this.codes.has(status)) return true;
    if (on & RetryOn['retriable-headers']) {
      if (this.headerNames.some((n) => headers.has(n))) return true;
      const view = responseView(status, headers);
      if (this.policy.retriableHeaders.some((p) => p(view))) return true;
    }
    const g = headers.get('grpc-status');
    if (g !== undefined) return ((GRPC_RETRY_ON.get(Number(g)) ?? 0) & on) !== 0;
    return false;
  }

  private wouldRetryReset(reason: ResetReason, err: Error): boolean {
    const on = this.retryOn;
    if (reason === 'overflow') return false;
    if (reason === 'connection failure' && on & RetryOn['connect-failure']) return true;
    if (on & RESET_CONDITIONS) return true;
    return (
      reason === 'remote reset' &&
      (on & RetryOn['refused-stream']) !== 0 &&
      /REFUSED_STREAM/.test(err.message)
    );
  }

  onResponse(status: number, headers: HeaderMap, info: StreamInfo): RetryDecision {
    return this.decide(this.wouldRetryResponse(status, headers), info);
  }

  onReset(reason: ResetReason, err: Error, info: StreamInfo): RetryDecision {
    // Our own reset is no outcome of the retried attempt: leave the state as it is.
    if (reason === 'local reset') return 'no';
    return this.decide(this.wouldRetryReset(reason, err), info);
  }

  /** A per-try timeout counts as a reset for 5xx, gateway-error and reset. */
  onPerTryTimeout(info: StreamInfo): RetryDecision {
    return this.decide((this.retryOn & RESET_CONDITIONS) !== 0, info);
  }

  private decide(would: boolean, info: StreamInfo): RetryDecision {
    const stats = this.resources.stats;
    if (this.holding && !would) stats.upstream_rq_retry_success.value++;
    this.release();
    if (!would) return 'no';
    if (this.remaining === 0) {
      stats.upstream_rq_retry_limit_exceeded.value++;
      info.setFlag('URX');
      return 'no';
    }
    this.remaining--;
    if (!this.resources.tryAcquireRetry()) {
      stats.upstream_rq_retry_overflow.value++;
      info.setFlag('UO');
      return 'no';
    }
    this.holding = true;
    this.retried++;
    stats.upstream_rq_retry.value++;
    return 'retry';
  }

  backOffMs(): number {
    this.backOff ??= new JitteredBackOff(this.policy.backOffBaseMs, this.policy.backOffMaxMs, this.random);
    return this.backOff.nextMs();
  }

  /** How many retries were sent so far (x-envoy-attempt-count − 1). */
  get retries(): number {
    return this.retried;
  }

  /** The request is over: give back the retry resource if still held. */
  release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.resources.releaseRetry();
  }
}
