// Active health checking for one cluster (Envoy HealthCheckerImpl): a session per host probes on
// its own timer (interval with jitter, unhealthy_interval while failing, no_traffic_interval until
// the cluster carries traffic). New hosts start unhealthy until a first success; a healthy host
// turns unhealthy after unhealthy_threshold failures (at once on an unexpected HTTP status) and
// back after healthy_threshold successes. Health changes rebuild the cluster's load balancer.
import http from 'node:http';
import { makeCounters, makeGauges, type Counter, type Gauge, type Scope } from '../../stats/store.js';
import { HealthFlag, type Host, type HostSet } from '../host.js';
import type { HealthCheckSettings } from './config.js';
import { probeHttp, probeTcp, type ProbeResult } from './probe.js';

export const HEALTH_CHECK_COUNTERS = [
  'attempt',
  'success',
  'failure',
  'network_failure',
  'passive_failure',
  'verify_cluster',
] as const;
const HEALTH_CHECK_GAUGES = ['healthy', 'degraded'] as const;

export interface CheckedCluster {
  readonly hostSets: readonly HostSet[];
  readonly scope: Scope;
  /** no_traffic_interval applies until the cluster has carried a request */
  readonly stats: { readonly upstream_rq_total: Counter };
  refreshLb(): void;
}

/** Per-host health state machine: returns true when the host's health flips. */
export class HostHealth {
  private successes = 0;
  private failures = 0;
  private first = true;

  constructor(
    private readonly host: Host,
    private readonly s: Pick<HealthCheckSettings, 'healthyThreshold' | 'unhealthyThreshold'>,
  ) {
    host.healthFlags |= HealthFlag.FAILED_ACTIVE_HC;
  }

  get failing(): boolean {
    return (this.host.healthFlags & HealthFlag.FAILED_ACTIVE_HC) !== 0;
  }

  onResult(r: ProbeResult): boolean {
    const h = this.host;
    const first = this.first;
    this.first = false;
    if (r === 'success') {
      this.failures = 0;
      if (!this.failing) return false;
      // A host never checked before is healthy after its first success.
      if (!first && ++this.successes < this.s.healthyThreshold) return false;
      this.successes = 0;
      h.healthFlags &= ~HealthFlag.FAILED_ACTIVE_HC;
      return true;
    }
    this.successes = 0;
    if (this.failing) return false;
    if (r !== 'unhealthy' && ++this.failures < this.s.unhealthyThreshold) return false;
    this.failures = 0;
    h.healthFlags |= HealthFlag.FAILED_ACTIVE_HC;
    return true;
  }
}

class Session {
  readonly health: HostHealth;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly agent: http.Agent | undefined;

  constructor(
    readonly host: Host,
    private readonly checker: HealthChecker,
    private readonly s: HealthCheckSettings,
  ) {
    this.health = new HostHealth(host, s);
    if (s.check.kind === 'http') this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), ms).unref();
  }

  private async run(): Promise<void> {
    const { s, host } = this;
    const c = s.check;
    this.checker.stats.attempt.value++;
    const r =
      c.kind === 'http'
        ? await probeHttp(c, host, this.agent!, s.timeoutMs)
        : await probeTcp(c, host, s.timeoutMs);
    if (this.stopped) return;
    this.checker.record(r, this.health.onResult(r));
    this.schedule(this.checker.nextIntervalMs(this.health.failing));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.agent?.destroy();
  }
}

export class HealthChecker {
  readonly stats: { [K in (typeof HEALTH_CHECK_COUNTERS)[number]]: Counter };
  private readonly gauges: { [K in (typeof HEALTH_CHECK_GAUGES)[number]]: Gauge };
  private readonly sessions = new Map<Host, Session>();
  private started = false;

  constructor(
    private readonly s: HealthCheckSettings,
    private readonly cluster: CheckedCluster,
    private readonly random: () => number = Math.random,
  ) {
    const scope = cluster.scope.child('health_check');
    this.stats = makeCounters(scope, HEALTH_CHECK_COUNTERS);
    this.gauges = makeGauges(scope, HEALTH_CHECK_GAUGES);
  }

  /** Membership changed: new hosts start unhealthy with a check right away; gone hosts stop. */
  onHostsChanged(): void {
    const live = new Set<Host>();
    for (const set of this.cluster.hostSets)
      for (const h of set.hosts) {
        live.add(h);
        if (this.sessions.has(h)) continue;
        const session = new Session(h, this, this.s);
        this.sessions.set(h, session);
        if (this.started) session.schedule(0);
      }
    for (const [h, session] of this.sessions)
      if (!live.has(h)) {
        session.stop();
        this.sessions.delete(h);
      }
    this.publish();
  }

  start(): void {
    this.started = true;
    for (const session of this.sessions.values()) session.schedule(0);
  }

  stop(): void {
    this.started = false;
    for (const session of this.sessions.values()) session.stop();
    this.sessions.clear();
  }

  record(r: ProbeResult, flipped: boolean): void {
    if (r === 'success') this.stats.success.value++;
    else {
      this.stats.failure.value++;
      if (r === 'network_failure') this.stats.network_failure.value++;
    }
    if (flipped) {
      this.publish();
      this.cluster.refreshLb();
    }
  }

  nextIntervalMs(failing: boolean): number {
    const s = this.s;
    const base =
      this.cluster.stats.upstream_rq_total.value === 0
        ? s.noTrafficIntervalMs
        : failing
          ? s.unhealthyIntervalMs
          : s.intervalMs;
    return base + (s.jitterMs > 0 ? Math.floor(this.random() * s.jitterMs) : 0);
  }

  private publish(): void {
    let healthy = 0;
    for (const session of this.sessions.values()) if (!session.health.failing) healthy++;
    this.gauges.healthy.value = healthy;
  }
}
