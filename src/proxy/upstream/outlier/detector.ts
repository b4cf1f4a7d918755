// Outlier detection for one cluster (Envoy DetectorImpl, consecutive detectors): counts each
// host's consecutive 5xx, gateway failures (502/503/504) and local-origin failures from request
// outcomes, ejects a host the moment a streak reaches its threshold (subject to the enforcing
// percentage and max_ejection_percent). On each interval it brings hosts back after
// base_ejection_time × times ejected (at most max_ejection_time), then runs the success-rate and
// failure-percentage detectors over the interval's requests.
import { makeCounters, makeGauges, type Counter, type Gauge, type Scope } from '../../stats/store.js';
import type { RequestObserver, RequestOutcome } from '../cluster.js';
import { HealthFlag, type Host, type HostSet } from '../host.js';
import type { OutlierSettings } from './config.js';
import { OUTLIER_COUNTERS, OUTLIER_GAUGES } from './stats.js';

/** What the detector needs of its cluster. */
export interface OutlierCluster {
  readonly hostSets: readonly HostSet[];
  readonly scope: Scope;
  /** rebuild the load balancer after a health change */
  refreshLb(): void;
}

class Monitor {
  consecutive5xx = 0;
  consecutiveGateway = 0;
  consecutiveLocal = 0;
  /** how many times ejected; decays by one per interval spent healthy */
  ejections = 0;
  ejectedAt: number | undefined;
  /** this interval's requests and failures (5xx, and local-origin failures unless split) */
  requests = 0;
  failures = 0;
}

type Kind =
  | 'consecutive_5xx'
  | 'consecutive_gateway_failure'
  | 'consecutive_local_origin_failure'
  | 'success_rate'
  | 'failure_percentage';

export class OutlierDetector implements RequestObserver {
  private readonly monitors = new Map<Host, Monitor>();
  private readonly stats: { [K in (typeof OUTLIER_COUNTERS)[number]]: Counter };
  private readonly gauges: { [K in (typeof OUTLIER_GAUGES)[number]]: Gauge };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly s: OutlierSettings,
    private readonly cluster: OutlierCluster,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    const scope = cluster.scope.child('outlier_detection');
    this.stats = makeCounters(scope, OUTLIER_COUNTERS);
    this.gauges = makeGauges(scope, OUTLIER_GAUGES);
  }

  start(): void {
    this.timer = setInterval(() => this.onInterval(), this.s.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private monitor(h: Host): Monitor {
    let m = this.monitors.get(h);
    if (!m) this.monitors.set(h, (m = new Monitor()));
    return m;
  }

  onRequestOutcome(o: RequestOutcome): void {
    // Our own resets (retry, downstream gone) and circuit-breaker overflow say nothing of the host.
    if (o.status === undefined && (o.reset === 'local reset' || o.reset === 'overflow')) return;
    const m = this.monitor(o.host);
    const s = this.s;
    let code = o.status;
    if (code !== undefined || !s.splitLocalOrigin) m.requests++;
    if (code === undefined) {
      if (!o.reset && !o.timedOut) code = 200;
      else if (s.splitLocalOrigin) {
        if (++m.consecutiveLocal === s.consecutiveLocalOrigin)
          this.detected(o.host, m, 'consecutive_local_origin_failure', s.enforcingLocalOrigin);
        return;
      }
      // Not split: a connect failure or reset counts as 503, a timeout as 504 (Envoy's mapping).
      else code = o.timedOut ? 504 : 503;
    } else if (s.splitLocalOrigin) m.consecutiveLocal = 0;
    if (code >= 500) m.failures++;
    if (code < 500) {
      m.consecutive5xx = 0;
      m.consecutiveGateway = 0;
      return;
    }
    if (code >= 502 && code <= 504) {
      if (++m.consecutiveGateway === s.consecutiveGateway)
        this.detected(o.host, m, 'consecutive_gateway_failure', s.enforcingGateway);
    } else m.consecutiveGateway = 0;
    if (++m.consecutive5xx === s.consecutive5xx) this.detected(o.host, m, 'consecutive_5xx', s.enforcing5xx);
  }

  private detected(host: Host, m: Monitor, kind: Kind, enforcing: number): void {
    const st = this.stats;
    st[`ejections_detected_${kind}`].value++;
    if (kind === 'consecutive_5xx') {
      m.consecutive5xx = 0;
      st.ejections_consecutive_5xx.value++;
    } else if (kind === 'consecutive_gateway_failure') m.consecutiveGateway = 0;
    else if (kind === 'consecutive_local_origin_failure') m.consecutiveLocal = 0;
    else if (kind === 'success_rate') st.ejections_success_rate.value++;
    if (m.ejectedAt !== undefined || !(this.random() * 100 < enforcing)) return;
    let total = 0;
    for (const set of this.cluster.hostSets) total += set.hosts.length;
    if ((100 * (this.gauges.ejections_active.value + 1)) / total > this.s.maxEjectionPercent) {
      st.ejections_overflow.value++;
      return;
    }
    st.ejections_total.value++;
    st.ejections_enforced_total.value++;
    st[`ejections_enforced_${kind}`].value++;
    m.ejections++;
    m.ejectedAt = this.now();
    this.gauges.ejections_active.value++;
    host.healthFlags |= HealthFlag.FAILED_OUTLIER_CHECK;
    this.cluster.refreshLb();
  }

  /** The interval timer: un-eject hosts whose time is up, decay the others' ejection count. */
  onInterval(): void {
    const now = this.now();
    const live = new Set<Host>();
    for (const set of this.cluster.hostSets) for (const h of set.hosts) live.add(h);
    let changed = false;
    for (const [host, m] of this.monitors) {
      if (!live.has(host)) {
        if (m.ejectedAt !== undefined) this.gauges.ejections_active.value--;
        this.monitors.delete(host);
        continue;
      }
      if (m.ejectedAt === undefined) {
        if (m.ejections > 0) m.ejections--;
        continue;
      }
      const ejectedFor = Math.min(this.s.baseEjectionMs * m.ejections, this.s.maxEjectionMs);
      if (now - m.ejectedAt >= ejectedFor) {
        m.ejectedAt = undefined;
        host.healthFlags &= ~HealthFlag.FAILED_OUTLIER_CHECK;
        this.gauges.ejections_active.value--;
        changed = true;
      }
    }
    this.statistical();
    if (changed) this.cluster.refreshLb();
  }

  /** Success rate (below mean − factor·stdev) and failure percentage over the past interval. */
  private statistical(): void {
    const { successRate: sr, failurePercentage: fp } = this.s;
    const rates: [Host, Monitor, number][] = [];
    const failing: [Host, Monitor, number][] = [];
    for (const [host, m] of this.monitors) {
      if (m.ejectedAt === undefined) {
        if (m.requests >= sr.requestVolume) rates.push([host, m, (m.requests - m.failures) / m.requests]);
        if (m.requests >= fp.requestVolume) failing.push([host, m, (100 * m.failures) / m.requests]);
      }
      m.requests = 0;
      m.failures = 0;
    }
    if (rates.length >= sr.minimumHosts) {
      const mean = rates.reduce((a, [, , r]) => a + r, 0) / rates.length;
      const variance = rates.reduce((a, [, , r]) => a + (r - mean) ** 2, 0) / rates.length;
      const threshold = mean - sr.stdevFactor * Math.sqrt(variance);
      for (const [host, m, r] of rates)
        if (r < threshold) this.detected(host, m, 'success_rate', sr.enforcing);
    }
    if (failing.length >= fp.minimumHosts)
      for (const [host, m, pct] of failing)
        if (pct >= fp.threshold) this.detected(host, m, 'failure_percentage', fp.enforcing);
  }
}
