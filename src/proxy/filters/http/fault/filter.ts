// envoy.filters.http.fault, per request: checks the request conditions, then injects the delay
// (flag DI) and afterwards the abort (flag FI), as Envoy orders them; max_active_faults bounds
// how many requests are faulted at once.
import { HeaderMap } from '../../../http/header-map.js';
import type { Counter, Gauge } from '../../../stats/store.js';
import type { FilterCallbacks, FilterHeadersStatus, HttpFilter } from '../types.js';
import type { FaultAbort, FaultDelay, FaultSettings } from './config.js';
import type { FAULT_COUNTERS, FAULT_GAUGES } from './stats.js';

export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';

const H = {
  delay: 'x-envoy-fault-delay-request',
  delayPercent: 'x-envoy-fault-delay-request-percentage',
  abort: 'x-envoy-fault-abort-request',
  abortGrpc: 'x-envoy-fault-abort-grpc-request',
  abortPercent: 'x-envoy-fault-abort-request-percentage',
} as const;

/** Shared by every stream of one connection manager. */
export interface FaultShared {
  readonly settings: FaultSettings;
  readonly stats: { [K in (typeof FAULT_COUNTERS)[number]]: Counter };
  readonly gauges: { [K in (typeof FAULT_GAUGES)[number]]: Gauge };
  /** uniform in [0, 1) */
  readonly random: () => number;
}

function intHeader(cb: FilterCallbacks, name: string): number | undefined {
  const v = cb.requestHeaders.get(name);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export class FaultFilter implements HttpFilter {
  private timer: NodeJS.Timeout | undefined;
  private active = false;

  constructor(private readonly shared: FaultShared) {}

  decodeHeaders(cb: FilterCallbacks): FilterHeadersStatus {
    const per = cb.perFilterConfig<FaultSettings | { disabled: true }>(FAULT_FILTER_NAME);
    if (per && 'disabled' in per) return 'continue';
    const s = per ?? this.shared.settings;
    if (!s.delay && !s.abort) return 'continue';
    if (!s.headers.every((p) => p(cb))) return 'continue';
    if (s.upstreamCluster !== undefined) {
      const a = cb.route()?.action;
      if (a?.kind !== 'route' || a.cluster.kind !== 'name' || a.cluster.name !== s.upstreamCluster)
        return 'continue';
    }
    const delayMs = s.delay && this.delayMs(cb, s.delay);
    const willAbort = s.abort !== undefined && this.abortStatus(cb, s.abort) !== undefined;
    if (delayMs === undefined && !willAbort) return 'continue';
    const g = this.shared.gauges.active_faults;
    if (s.maxActiveFaults !== undefined && g.value >= s.maxActiveFaults) {
      this.shared.stats.faults_overflow.value++;
      return 'continue';
    }
    this.active = true;
    g.value++;
    if (delayMs === undefined) return this.maybeAbort(cb, s) ? 'stop' : 'continue';
    this.shared.stats.delays_injected.value++;
    cb.info.setFlag('DI');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.maybeAbort(cb, s)) cb.continueDecoding();
    }, delayMs);
    return 'stop';
  }

  /** The delay to inject, or undefined when this request is not delayed. */
  private delayMs(cb: FilterCallbacks, d: FaultDelay): number | undefined {
    if (d.kind === 'fixed') return this.shared.random() < d.percent ? d.ms : undefined;
    const ms = intHeader(cb, H.delay);
    if (ms === undefined) return undefined;
    return this.shared.random() < headerPercent(cb, H.delayPercent, d) ? ms : undefined;
  }

  /** [http status, grpc status] from config or headers; undefined when not configured for this request. */
  private abortStatus(cb: FilterCallbacks, a: FaultAbort): [number, number | undefined] | undefined {
    if (a.kind === 'http') return [a.status, undefined];
    if (a.kind === 'grpc') return [200, a.status];
    const grpc = intHeader(cb, H.abortGrpc);
    if (grpc !== undefined) return [200, grpc];
    const http = intHeader(cb, H.abort);
    return http !== undefined && http >= 200 && http < 600 ? [http, undefined] : undefined;
  }

  /** Rolls the abort percentage; on a hit sends the local reply and returns true. */
  private maybeAbort(cb: FilterCallbacks, s: FaultSettings): boolean {
    const a = s.abort;
    const st = a && this.abortStatus(cb, a);
    if (!a || !st) return false;
    const p = a.kind === 'header' ? headerPercent(cb, H.abortPercent, a) : a.percent;
    if (!(this.shared.random() < p)) return false;
    this.shared.stats.aborts_injected.value++;
    const [http, grpc] = st;
    if (grpc === undefined) {
      cb.sendLocalReply(http, 'fault filter abort', 'FI', 'fault_filter_abort');
      return true;
    }
    // A gRPC abort names its own grpc-status: a trailers-only reply rather than the HTTP mapping.
    cb.info.setFlag('FI');
    cb.info.responseCodeDetails = 'fault_filter_abort';
    const h = new HeaderMap();
    h.set('content-type', 'application/grpc');
    h.set('grpc-status', String(grpc));
    h.set('grpc-message', 'fault filter abort');
    cb.encodeHeaders(200, h, true);
    return true;
  }

  onDestroy(): void {
    clearTimeout(this.timer);
    if (this.active) this.shared.gauges.active_faults.value--;
    this.active = false;
  }
}

/** The configured percentage, lowered (never raised) by the request's percentage header. */
function headerPercent(
  cb: FilterCallbacks,
  header: string,
  f: { percent: number; denominator: number },
): number {
  const n = intHeader(cb, header);
  return n === undefined ? f.percent : Math.min(f.percent, n / f.denominator);
}
