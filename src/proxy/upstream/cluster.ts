// A live upstream cluster: its hosts (static, EDS, DNS or original destination), load balancer,
// per-host connection pools and Envoy's cluster.<name>.* stats. Request observers are the hook
// for outlier detection; Host.healthFlags the hook for active health checking.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Msg } from '../config/proto.js';
import { makeCounters, makeGauges, type Counter, type Scope, type StatsStore } from '../stats/store.js';
import { CircuitBreakers } from './circuit-breaker/breakers.js';
import { hostSetsFromAssignment, type ClusterConfig } from './cluster-config.js';
import { Host, type HostSet } from './host.js';
import { ClusterTransport } from '../tls/cluster-transport.js';
import { SecretStore } from '../tls/secret-store.js';
import type { UpstreamTls } from '../tls/upstream.js';
import { pickerFactory } from './lb/policy.js';
import { HealthChecker } from './health-check/checker.js';
import { OutlierDetector } from './outlier/detector.js';
import { PriorityLoadBalancer } from './lb/priority.js';
import type { HostPicker, Random } from './lb/types.js';
import { Http1Pool } from './pool/http1.js';
import { Http2Pool } from './pool/http2.js';
import type { ConnPool, PoolObserver } from './pool/types.js';

export const CLUSTER_COUNTERS = [
  'upstream_rq_total',
  'upstream_rq_completed',
  'upstream_rq_pending_overflow',
  'upstream_rq_retry',
  'upstream_rq_timeout',
  'upstream_rq_rx_reset',
  'upstream_rq_tx_reset',
  'upstream_cx_total',
  'upstream_cx_connect_fail',
  'upstream_cx_destroy',
  'upstream_cx_none_healthy',
  'update_attempt',
  'update_success',
  'update_empty',
  'membership_change',
] as const;

export const CLUSTER_GAUGES = [
  'upstream_cx_active',
  'upstream_rq_active',
  'membership_total',
  'membership_healthy',
  'membership_degraded',
] as const;

export interface RequestOutcome {
  host: Host;
  /** HTTP status, or undefined when the request failed before a response */
  status: number | undefined;
  reset?: string;
  timedOut: boolean;
}

/** Outlier detection (and anything else that learns from results) subscribes here. */
export interface RequestObserver {
  onRequestOutcome(o: RequestOutcome): void;
}

export interface HostChoiceContext {
  hashKey?: number;
  /** the downstream connection's original destination (ORIGINAL_DST clusters) */
  originalDst?: { address: string; port: number };
  /** value of original_dst_lb_config.http_header_name */
  headerHost?: string;
}

export class Cluster {
  readonly stats: { [K in (typeof CLUSTER_COUNTERS)[number]]: Counter };
  readonly gauges: ReturnType<typeof makeGauges<typeof CLUSTER_GAUGES>>;
  readonly scope: Scope;
  readonly codeCounters = new Map<number, Counter[]>();
  readonly observers: RequestObserver[] = [];
  /** circuit_breakers: admission of upstream attempts and the retry budget */
  readonly breakers: CircuitBreakers;
  private readonly outlier: OutlierDetector | undefined;
  private readonly healthChecker: HealthChecker | undefined;
  hostSets: HostSet[] = [];
  /** false until the first EDS assignment or DNS answer (Envoy cluster warming) */
  warm: boolean;
  private picker: HostPicker | undefined;
  private readonly pools = new Map<string, ConnPool>();
  private readonly originalDstHosts = new Map<string, { host: Host; lastUsed: number }>();
  private timer: NodeJS.Timeout | undefined;
  private destroyed = false;
  private readonly warmWaiters: (() => void)[] = [];
  /** transport_socket / transport_socket_matches: TLS per endpoint */
  private readonly transport: ClusterTransport | undefined;

  constructor(
    readonly config: ClusterConfig,
    store: StatsStore,
    private readonly random: Random,
    secrets: SecretStore = new SecretStore(),
  ) {
    this.transport = config.transport && new ClusterTransport(config.transport, secrets, config.http2);
    this.scope = store.scope(`cluster.${config.name}`, [['envoy_cluster_name', config.name]], 'cluster');
    this.stats = makeCounters(this.scope, CLUSTER_COUNTERS);
    this.gauges = makeGauges(this.scope, CLUSTER_GAUGES);
    this.breakers = new CircuitBreakers(config.thresholds, this.scope, config.http2);
    if (config.outlierDetection) {
      this.outlier = new OutlierDetector(config.outlierDetection, this, Date.now, () => random.next());
      this.observers.push(this.outlier);
    }
    if (config.healthCheck)
      this.healthChecker = new HealthChecker(config.healthCheck, this, () => random.next());
    this.warm = config.type === 'STATIC' || config.type === 'ORIGINAL_DST';
    if (config.type === 'STATIC') this.setHostSets(hostSetsFromAssignment(config.loadAssignment));
  }

  /** Starts DNS resolution / original-destination host cleanup. */
  start(): void {
    const c = this.config;
    this.outlier?.start();
    this.healthChecker?.start();
    if (c.type === 'STRICT_DNS' || c.type === 'LOGICAL_DNS') {
      const refresh = (): void => {
        void this.resolveDns().finally(() => {
          if (!this.destroyed) this.timer = setTimeout(refresh, c.dnsRefreshMs).unref();
        });
      };
      refresh();
    } else if (c.type === 'ORIGINAL_DST') {
      // Envoy's cleanup_interval default: forget hosts unused for 5s.
      this.timer = setInterval(() => this.cleanupOriginalDst(), 5000).unref();
    }
  }

  whenWarm(): Promise<void> {
    if (this.warm) return Promise.resolve();
    return new Promise((r) => this.warmWaiters.push(r));
  }

  private markWarm(): void {
    if (this.warm) return;
    this.warm = true;
    for (const w of this.warmWaiters.splice(0)) w();
  }

  private async resolveDns(): Promise<void> {
    const c = this.config;
    this.stats.update_attempt.inc();
    const names = new Set<string>();
    for (const le of (c.loadAssignment?.endpoints ?? []) as Msg[])
      for (const lbe of (le.lb_endpoints ?? []) as Msg[]) {
        const a = lbe.endpoint?.address?.socket_address?.address as string | undefined;
        if (a && !isIP(a)) names.add(a);
      }
    const resolved = new Map<string, string[]>();
    try {
      for (const n of names) {
        const addrs = await lookup(n, { all: true, family: c.dnsFamily });
        resolved.set(
          n,
          addrs.map((a) => a.address),
        );
      }
    } catch {
      if (!this.warm) this.markWarm();
      return;
    }
    const resolve = (h: string): string[] => {
      const r = isIP(h) ? [h] : (resolved.get(h) ?? []);
      // LOGICAL_DNS: a single logical host, the first address answered.
      return c.type === 'LOGICAL_DNS' ? r.slice(0, 1) : r;
    };
    this.stats.update_success.inc();
    this.setHostSets(hostSetsFromAssignment(c.loadAssignment, resolve));
    this.markWarm();
  }

  /** EDS update. */
  setAssignment(cla: Msg): void {
    this.stats.update_attempt.inc();
    this.stats.update_success.inc();
    const sets = hostSetsFromAssignment(cla);
    if (sets.every((s) => s.hosts.length === 0)) this.stats.update_empty.inc();
    this.setHostSets(sets);
    this.markWarm();
  }

  /** Replaces membership, keeping Host objects (and their pools, counters) for unchanged hosts. */
  setHostSets(sets: HostSet[]): void {
    const old = new Map<string, Host>();
    for (const s of this.hostSets) for (const h of s.hosts) old.set(`${h.priority}/${h.key}`, h);
    const live = new Set<string>();
    for (const s of sets)
      s.hosts = s.hosts.map((h) => {
        live.add(h.key);
        const prev = old.get(`${h.priority}/${h.key}`);
        return prev && prev.weight === h.weight && prev.edsHealth === h.edsHealth ? prev : h;
      });
    this.hostSets = sets;
    for (const [key, pool] of this.pools)
      if (!live.has(key)) {
        this.pools.delete(key);
        void pool.drain();
      }
    this.stats.membership_change.inc();
    this.healthChecker?.onHostsChanged();
    this.refreshLb();
  }

  /** Rebuilds the load balancer; call after any host health change. */
  refreshLb(): void {
    let total = 0;
    let healthy = 0;
    for (const s of this.hostSets) {
      total += s.hosts.length;
      for (const h of s.hosts) if (h.healthy) healthy++;
    }
    this.gauges.membership_total.set(total);
    this.gauges.membership_healthy.set(healthy);
    this.picker =
      this.config.lb.kind === 'cluster_provided'
        ? undefined
        : new PriorityLoadBalancer(
            this.hostSets,
            pickerFactory(this.config.lb, this.random),
            this.random,
            this.config.localityWeighted,
            undefined, // the balancer's default overprovisioning factor
            this.config.panicThreshold,
          );
  }

  chooseHost(ctx: HostChoiceContext): Host | undefined {
    if (this.config.type === 'ORIGINAL_DST') return this.originalDstHost(ctx);
    return this.picker?.pick(ctx);
  }

  private originalDstHost(ctx: HostChoiceContext): Host | undefined {
    let address: string | undefined;
    let port = 0;
    if (this.config.originalDst.useHttpHeader && ctx.headerHost) {
      const i = ctx.headerHost.lastIndexOf(':');
      if (i > 0) {
        address = ctx.headerHost.slice(0, i).replace(/^\[|\]$/g, '');
        port = Number(ctx.headerHost.slice(i + 1));
      }
    } else if (ctx.originalDst) {
      address = ctx.originalDst.address;
      port = ctx.originalDst.port;
    }
    if (!address || !port) return undefined;
    const key = `${address}:${port}`;
    let e = this.originalDstHosts.get(key);
    if (!e) {
      e = { host: new Host(address, port), lastUsed: 0 };
      this.originalDstHosts.set(key, e);
      this.hostSets = [
        {
          priority: 0,
          hosts: [...this.originalDstHosts.values()].map((x) => x.host),
          localityWeights: new Map(),
        },
      ];
      this.gauges.membership_total.set(this.originalDstHosts.size);
      this.gauges.membership_healthy.set(this.originalDstHosts.size);
    }
    e.lastUsed = Date.now();
    return e.host;
  }

  private cleanupOriginalDst(): void {
    const cutoff = Date.now() - 5000;
    let changed = false;
    for (const [k, e] of this.originalDstHosts)
      if (e.lastUsed < cutoff && e.host.activeRequests === 0) {
        this.originalDstHosts.delete(k);
        changed = true;
      }
    if (changed)
      this.setHostSets([
        {
          priority: 0,
          hosts: [...this.originalDstHosts.values()].map((x) => x.host),
          localityWeights: new Map(),
        },
      ]);
  }

  /** The connection pool for a host (created on first use). */
  pool(host: Host): ConnPool {
    let p = this.pools.get(host.key);
    if (p) return p;
    const c = this.config;
    const stats = this.stats;
    const gauges = this.gauges;
    const observer: PoolObserver = {
      onConnect() {
        stats.upstream_cx_total.value++;
        gauges.upstream_cx_active.value++;
        host.cxTotal++;
        host.cxActive++;
      },
      onDisconnect() {
        stats.upstream_cx_destroy.value++;
        gauges.upstream_cx_active.value--;
        host.cxActive--;
      },
      onConnectFail() {
        stats.upstream_cx_connect_fail.value++;
        stats.upstream_cx_total.value++;
        host.cxConnectFail++;
      },
    };
    const thresholds = (c.circuitBreakers?.thresholds ?? []) as Msg[];
    const tls = this.tlsFor(host);
    const opts = {
      connectTimeoutMs: c.connectTimeoutMs,
      idleTimeoutMs: c.idleTimeoutMs,
      maxRequestsPerConnection: c.maxRequestsPerConnection,
      transport: tls,
      maxConnections: Number(thresholds[0]?.max_connections?.value ?? 1024),
    };
    const origin = `${tls ? 'https' : 'http'}://${host.key}`;
    p = c.http2 ? new Http2Pool(origin, opts, observer) : new Http1Pool(origin, opts, observer);
    this.pools.set(host.key, p);
    return p;
  }

  /** The TLS a host's connections use (transport_socket_matches on its metadata); undefined: plaintext. */
  tlsFor(host: Host): UpstreamTls | undefined {
    return this.transport?.forEndpoint(host.metadata);
  }

  /** Called by the router once per upstream attempt. */
  reportOutcome(o: RequestOutcome): void {
    for (const obs of this.observers) obs.onRequestOutcome(o);
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.outlier?.stop();
    this.healthChecker?.stop();
    if (this.timer) clearTimeout(this.timer);
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.drain()));
  }
}
