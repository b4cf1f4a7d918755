// Cluster circuit breaking (Envoy ResourceManager + the pool's pending queue): admits each
// upstream attempt against max_requests and, for HTTP/1.1 where a request holds a connection,
// max_connections; waits in a pending queue bounded by max_pending_requests, else overflows
// (503 UO). Also the max_retries budget and the circuit_breakers.default.* gauges.
import { makeCounters, makeGauges, type Counter, type Gauge, type Scope } from '../../stats/store.js';
import type { Thresholds } from './thresholds.js';

export const BREAKER_COUNTERS = [
  'upstream_rq_pending_overflow',
  'upstream_rq_pending_total',
  'upstream_cx_overflow',
  'upstream_rq_retry',
  'upstream_rq_retry_success',
  'upstream_rq_retry_overflow',
  'upstream_rq_retry_limit_exceeded',
] as const;

const OPEN_GAUGES = ['cx_open', 'rq_pending_open', 'rq_open', 'rq_retry_open'] as const;
const REMAINING_GAUGES = ['remaining_cx', 'remaining_pending', 'remaining_rq', 'remaining_retries'] as const;

/** An upstream attempt as the breaker sees it: dispatched once it may use a connection. */
export interface Admittable {
  dispatch(): void;
  /** a queued attempt that then found max_requests reached */
  overflow(): void;
}

export type Admission = 'go' | 'queued' | 'overflow';

export class CircuitBreakers {
  readonly stats: { [K in (typeof BREAKER_COUNTERS)[number]]: Counter };
  private readonly open: { [K in (typeof OPEN_GAUGES)[number]]: Gauge };
  private readonly remainingGauges: { [K in (typeof REMAINING_GAUGES)[number]]: Gauge } | undefined;
  private readonly pendingActive: Gauge;
  /** attempts holding a connection (HTTP/1.1) or a stream (HTTP/2) */
  private readonly attached = new Set<Admittable>();
  private readonly pending: Admittable[] = [];
  private retries = 0;

  constructor(
    readonly thresholds: Thresholds,
    scope: Scope,
    /** HTTP/2 multiplexes: an attempt does not hold a connection of its own */
    private readonly multiplexed: boolean,
  ) {
    this.stats = makeCounters(scope, BREAKER_COUNTERS);
    this.pendingActive = scope.gauge('upstream_rq_pending_active');
    const cb = scope.child('circuit_breakers.default');
    this.open = makeGauges(cb, OPEN_GAUGES);
    this.remainingGauges = thresholds.trackRemaining ? makeGauges(cb, REMAINING_GAUGES) : undefined;
    this.publish();
  }

  admit(a: Admittable): Admission {
    const t = this.thresholds;
    if (this.multiplexed || this.attached.size < t.maxConnections) return this.attach(a) ? 'go' : 'overflow';
    // Every connection is busy and no new one may be opened: wait for one, if the queue has room.
    this.stats.upstream_cx_overflow.value++;
    if (this.pending.length >= t.maxPendingRequests) {
      this.stats.upstream_rq_pending_overflow.value++;
      this.publish();
      return 'overflow';
    }
    this.stats.upstream_rq_pending_total.value++;
    this.pending.push(a);
    this.publish();
    return 'queued';
  }

  private attach(a: Admittable): boolean {
    if (this.attached.size >= this.thresholds.maxRequests) {
      this.stats.upstream_rq_pending_overflow.value++;
      this.publish();
      return false;
    }
    this.attached.add(a);
    this.publish();
    return true;
  }

  /** The attempt finished or was cancelled: frees its slot and lets the next pending one go. */
  release(a: Admittable): void {
    if (!this.attached.delete(a)) {
      const i = this.pending.indexOf(a);
      if (i >= 0) this.pending.splice(i, 1);
    }
    while (this.pending.length && (this.multiplexed || this.attached.size < this.thresholds.maxConnections)) {
      const next = this.pending.shift()!;
      if (this.attach(next)) next.dispatch();
      else next.overflow();
    }
    this.publish();
  }

  tryAcquireRetry(): boolean {
    if (this.retries >= this.thresholds.maxRetries) {
      this.publish();
      return false;
    }
    this.retries++;
    this.publish();
    return true;
  }

  releaseRetry(): void {
    this.retries--;
    this.publish();
  }

  private publish(): void {
    const t = this.thresholds;
    const o = this.open;
    const cx = this.multiplexed ? 0 : this.attached.size;
    o.cx_open.value = cx >= t.maxConnections ? 1 : 0;
    o.rq_pending_open.value = this.pending.length >= t.maxPendingRequests ? 1 : 0;
    o.rq_open.value = this.attached.size >= t.maxRequests ? 1 : 0;
    o.rq_retry_open.value = this.retries >= t.maxRetries ? 1 : 0;
    this.pendingActive.value = this.pending.length;
    const r = this.remainingGauges;
    if (!r) return;
    r.remaining_cx.value = Math.max(0, t.maxConnections - cx);
    r.remaining_pending.value = Math.max(0, t.maxPendingRequests - this.pending.length);
    r.remaining_rq.value = Math.max(0, t.maxRequests - this.attached.size);
    r.remaining_retries.value = Math.max(0, t.maxRetries - this.retries);
  }
}
