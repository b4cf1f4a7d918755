// envoy.filters.http.router, per request: resolves the route's action (direct response,
// redirect, or forward), picks cluster and host, builds the upstream request (rewrites, Envoy
// headers, header mutations) and turns upstream failures into Envoy's local replies and flags.
// Retries, shadowing and circuit breaking hook in at forward()/onUpstreamFailure().
import { HeaderMap, HOP_BY_HOP } from '../../../http/header-map.js';
import { BODY } from '../../../http/local-reply.js';
import type { ResponseFlag } from '../../../http/stream-info.js';
import type { ClusterSpecifier, ForwardAction, Route } from '../../../router/route-config.js';
import type { HeaderMutation } from '../../../router/header-mutation.js';
import { sendMirrors } from '../../../router/mirror.js';
import { ReplayableBody } from '../../../router/retry/body.js';
import { RetryState } from '../../../router/retry/state.js';
import { redirectLocation, rewritePath } from '../../../router/rewrite.js';
import { RequestDeadline } from '../../../router/timeout.js';
import type { Counter } from '../../../stats/store.js';
import type { Cluster, HostChoiceContext } from '../../../upstream/cluster.js';
import type { Host } from '../../../upstream/host.js';
import type { ResetReason, UpstreamRequestSpec } from '../../../upstream/pool/types.js';
import type { FilterCallbacks, FilterHeadersStatus, HttpFilter } from '../types.js';
import type { ROUTER_COUNTERS } from './stats.js';
import { UpstreamRequest, type AttemptOwner } from './upstream-request.js';
import { tlsFailureReason } from '../../../tls/errors.js';

export interface RouterShared {
  stats: { [K in (typeof ROUTER_COUNTERS)[number]]: Counter };
  suppressEnvoyHeaders: boolean;
  random: () => number;
}

const RESET_FLAG: Record<ResetReason, ResponseFlag> = {
  'connection failure': 'UF',
  'connection termination': 'UC',
  'remote reset': 'UR',
  'local reset': 'LR',
  overflow: 'UO',
  'protocol error': 'UPE',
};

interface Chosen {
  name: string;
  requestHeaders: HeaderMutation | undefined;
  responseHeaders: HeaderMutation | undefined;
}

export class RouterFilter implements HttpFilter, AttemptOwner {
  private cb!: FilterCallbacks;
  private route!: Route;
  private chosen: Chosen | undefined;
  private upstream: UpstreamRequest | undefined;
  private setCookies: string[] = [];
  // Retries: the cluster and host context to pick again, the spec to resend, the body to replay.
  private cluster!: Cluster;
  private hostCtx!: HostChoiceContext;
  private spec!: UpstreamRequestSpec;
  private deadline!: RequestDeadline;
  private retry: RetryState | undefined;
  private body: ReplayableBody | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attemptPerTry = false;
  /** a circuit breaker overflowed: the reply carries x-envoy-overloaded */
  private overloaded = false;

  constructor(private readonly shared: RouterShared) {}

  decodeHeaders(cb: FilterCallbacks): FilterHeadersStatus {
    this.cb = cb;
    this.shared.stats.rq_total.value++;
    const route = cb.route();
    if (!route) {
      this.shared.stats.no_route.value++;
      cb.sendLocalReply(404, '', 'NR', 'route_not_found');
      return 'stop';
    }
    this.route = route;
    const a = route.action;
    if (a.kind === 'direct_response') {
      this.shared.stats.rq_direct_response.value++;
      const h = new HeaderMap();
      if (a.body !== undefined) {
        h.set('content-type', 'text/plain');
        h.set('content-length', String(Buffer.byteLength(a.body)));
      } else h.set('content-length', '0');
      route.responseHeaders.apply(h, cb.info);
      cb.info.responseCodeDetails = 'direct_response';
      cb.encodeHeaders(a.status, h);
      cb.endResponse(a.body);
    } else if (a.kind === 'redirect') {
      this.shared.stats.rq_redirect.value++;
      const h = new HeaderMap();
      h.set('location', redirectLocation(a, route.path, cb));
      h.set('content-length', '0');
      route.responseHeaders.apply(h, cb.info);
      cb.info.responseCodeDetails = 'direct_response';
      cb.encodeHeaders(a.code, h);
      cb.endResponse();
    } else this.forward(a);
    return 'stop';
  }

  private pickCluster(spec: ClusterSpecifier): Chosen | undefined {
    switch (spec.kind) {
      case 'name':
        return { name: spec.name, requestHeaders: undefined, responseHeaders: undefined };
      case 'header': {
        const n = this.cb.header(spec.header);
        return n ? { name: n, requestHeaders: undefined, responseHeaders: undefined } : undefined;
      }
      case 'weighted': {
        let r = Math.floor(this.shared.random() * spec.total);
        for (const c of spec.clusters) {
          if (r < c.weight)
            return { name: c.name, requestHeaders: c.requestHeaders, responseHeaders: c.responseHeaders };
          r -= c.weight;
        }
        const last = spec.clusters[spec.clusters.length - 1]!;
        return {
          name: last.name,
          requestHeaders: last.requestHeaders,
          responseHeaders: last.responseHeaders,
        };
      }
    }
  }

  private forward(a: ForwardAction): void {
    const cb = this.cb;
    const info = cb.info;
    const chosen = this.pickCluster(a.cluster);
    const cluster = chosen && cb.clusterManager.get(chosen.name);
    if (!chosen || !cluster) {
      this.shared.stats.no_cluster.value++;
      cb.sendLocalReply(503, '', 'NC', 'cluster_not_found');
      return;
    }
    this.chosen = chosen;
    info.upstreamCluster = chosen.name;
    const conn = cb.connection;
    const hashKey = a.hashPolicy?.({ req: cb, sourceIp: conn.remoteAddress, setCookies: this.setCookies });
    this.cluster = cluster;
    this.hostCtx = {
      hashKey,
      originalDst: conn.originalDst ?? { address: conn.localAddress, port: conn.localPort },
      headerHost: cluster.config.originalDst.useHttpHeader
        ? cb.header(cluster.config.originalDst.headerName)
        : undefined,
    };
    const host = cluster.chooseHost(this.hostCtx);
    if (!host) {
      cluster.stats.upstream_cx_none_healthy.value++;
      cb.sendLocalReply(503, BODY.noHealthyUpstream, 'UH', 'no_healthy_upstream');
      return;
    }
    info.upstreamHost = host.key;

    // Timeout: route value, overridden by x-envoy-upstream-rq-timeout-ms / bounded grpc-timeout.
    const h = cb.requestHeaders;
    let timeoutMs = a.timeoutMs;
    const override = h.get('x-envoy-upstream-rq-timeout-ms');
    if (override !== undefined && /^\d+$/.test(override)) timeoutMs = Number(override);
    h.remove('x-envoy-upstream-rq-timeout-ms');
    if (a.grpcTimeoutHeaderMaxMs !== undefined) {
      const g = grpcTimeoutMs(h.get('grpc-timeout'));
      if (g !== undefined)
        timeoutMs = a.grpcTimeoutHeaderMaxMs > 0 ? Math.min(g, a.grpcTimeoutHeaderMaxMs) : g;
    }
    this.deadline = new RequestDeadline(timeoutMs);
    if (!cb.upgradeSocket)
      this.retry = RetryState.create(a.retryPolicy, h, cluster.breakers, this.shared.random);
    const perTry = this.retry?.perTryTimeoutMs ?? 0;
    const expected = perTry > 0 && (timeoutMs === 0 || perTry < timeoutMs) ? perTry : timeoutMs;
    if (!this.shared.suppressEnvoyHeaders && expected > 0)
      h.set('x-envoy-expected-rq-timeout-ms', String(expected));

    const newPath = rewritePath(cb.path, this.route.path, a.prefixRewrite, a.regexRewrite);
    if (newPath !== cb.path) {
      h.set('x-envoy-original-path', cb.path);
      cb.path = newPath;
    }
    let authority = cb.authority;
    if (a.hostRewrite) {
      const hr = a.hostRewrite;
      const v =
        hr.kind === 'literal'
          ? hr.value
          : hr.kind === 'auto'
            ? host.hostname || host.key
            : cb.header(hr.name);
      if (v) {
        if (a.appendXForwardedHost) h.append('x-forwarded-host', authority);
        authority = v;
        cb.authority = v;
      }
    }
    chosen.requestHeaders?.apply(h, info);
    this.route.requestHeaders.apply(h, info);

    const flat = h.toFlat(HOP_BY_HOP);
    const te = h.get('te');
    if (te === 'trailers') flat.push('te', te); // gRPC needs it end to end
    let upgrade: string | undefined;
    if (cb.upgradeSocket) {
      upgrade = (h.get('upgrade') ?? '').toLowerCase();
      if (!a.upgrades.get(upgrade)) {
        cb.sendLocalReply(403, '', undefined, 'upgrade_failed');
        return;
      }
    }
    this.spec = { method: cb.method, path: cb.path, authority, headers: flat, body: null, upgrade };
    if (cb.body && (this.retry || a.mirrors.length)) this.body = new ReplayableBody(cb.body);
    if (a.mirrors.length) {
      const body = this.body;
      sendMirrors(
        a.mirrors,
        cb.clusterManager,
        this.spec,
        cb,
        body && (() => body.stream(false)),
        this.shared.random,
      );
    }
    cb.onDownstreamReset = () => this.onDestroy();
    this.startAttempt(host);
  }

  /** One upstream attempt to `host` (the first, or a retry after back-off). */
  private startAttempt(host: Host): void {
    const cb = this.cb;
    cb.info.upstreamHost = host.key;
    this.retry?.attempted.push(host);
    const up = new UpstreamRequest(this, cb, this.cluster, host);
    this.upstream = up;
    const t = this.deadline.attempt(this.retry?.perTryTimeoutMs ?? 0);
    this.attemptPerTry = t.perTry;
    // Pools add to the header list, so an attempt that may be retried sends its own copy
    // (mirrors have already taken theirs).
    const body = this.body ? this.body.stream(true) : (cb.body as UpstreamRequestSpec['body']);
    const headers = this.retry ? this.spec.headers.slice() : this.spec.headers;
    up.start({ ...this.spec, headers, body }, t.ms, t.perTry);
  }

  /** Whether a retriable outcome may be retried at all: the body must still be replayable. */
  private mayRetry(): RetryState | undefined {
    return this.body && !this.body.replayable ? undefined : this.retry;
  }

  /** Back-off, then a new attempt, unless the route timeout runs out first. */
  private scheduleRetry(): void {
    const wait = this.retry!.backOffMs();
    const left = this.deadline.remainingMs();
    if (left !== undefined && left <= wait) {
      this.retryTimer = setTimeout(() => {
        this.cluster.stats.upstream_rq_timeout.value++;
        this.onUpstreamTimeout(false, true);
      }, left);
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const host = this.retryHost();
      if (host) this.startAttempt(host);
      else {
        this.cluster.stats.upstream_cx_none_healthy.value++;
        this.cb.sendLocalReply(503, BODY.noHealthyUpstream, 'UH', 'no_healthy_upstream');
      }
    }, wait);
  }

  /** retry_host_predicate previous_hosts: re-pick up to host_selection_retry_max_attempts times. */
  private retryHost(): Host | undefined {
    const r = this.retry!;
    let host = this.cluster.chooseHost(this.hostCtx);
    if (!r.policy.skipPreviousHosts) return host;
    for (let i = 1; i < r.policy.hostSelectionMaxAttempts && host && r.attempted.includes(host); i++)
      host = this.cluster.chooseHost(this.hostCtx);
    return host;
  }

  /** Response headers on their way out: overflow replies say so (x-envoy-overloaded). */
  encodeHeaders(_cb: FilterCallbacks, _status: number, headers: HeaderMap): void {
    if (this.overloaded) headers.set('x-envoy-overloaded', 'true');
  }

  onUpstreamHeaders(status: number, headers: HeaderMap, endStream: boolean): void {
    const cb = this.cb;
    if (this.mayRetry()?.onResponse(status, headers, cb.info) === 'retry') {
      this.upstream!.abort();
      this.scheduleRetry();
      return;
    }
    this.retry?.release();
    const up = this.upstream!;
    const ms = up.elapsedMs();
    cb.info.upstreamServiceTime = ms;
    cb.info.upstreamSsl = up.cluster.tlsFor(up.host)?.identity(up.host.address, up.host.port);
    cb.info.responseCodeDetails = 'via_upstream';
    if (!this.shared.suppressEnvoyHeaders) headers.set('x-envoy-upstream-service-time', String(ms));
    this.chosen?.responseHeaders?.apply(headers, cb.info);
    this.route.responseHeaders.apply(headers, cb.info);
    for (const c of this.setCookies) headers.append('set-cookie', c);
    cb.encodeHeaders(status, headers, endStream);
  }

  onUpstreamComplete(): void {
    this.cb.endResponse();
  }

  onUpstreamFailure(reason: ResetReason, err: Error & { code?: string }, responseStarted: boolean): void {
    const cb = this.cb;
    if (!responseStarted && this.mayRetry()?.onReset(reason, err, cb.info) === 'retry') {
      this.scheduleRetry();
      return;
    }
    if (reason === 'overflow') this.overloaded = true;
    cb.info.setFlag(RESET_FLAG[reason]);
    if (reason === 'local reset') return;
    if (responseStarted) {
      this.shared.stats.rq_reset_after_downstream_response_started.value++;
      cb.resetStream();
      return;
    }
    let detail: string = reason;
    const transport =
      reason !== 'connection failure'
        ? undefined
        : err.code === 'ECONNREFUSED'
          ? 'delayed connect error: 111'
          : tlsFailureReason(err);
    if (transport) {
      cb.info.upstreamTransportFailureReason = transport;
      detail = `${reason}, transport failure reason: ${transport}`;
    }
    cb.sendLocalReply(
      503,
      BODY.resetBeforeHeaders(detail),
      undefined,
      `upstream_reset_before_response_started{${reason}}`,
    );
  }

  onUpstreamTimeout(responseStarted: boolean, global = !this.attemptPerTry): void {
    const cb = this.cb;
    if (!global && !responseStarted && this.mayRetry()?.onPerTryTimeout(cb.info) === 'retry') {
      this.scheduleRetry();
      return;
    }
    this.upstream?.abort();
    cb.info.setFlag('UT');
    if (responseStarted) cb.resetStream();
    else cb.sendLocalReply(504, BODY.upstreamTimeout, undefined, 'upstream_response_timeout');
  }

  onDestroy(): void {
    clearTimeout(this.retryTimer);
    this.retry?.release();
    this.upstream?.abort();
  }
}

/** grpc-timeout header ("<digits><unit>") → ms. */
export function grpcTimeoutMs(v: string | undefined): number | undefined {
  const m = v ? /^(\d{1,8})([HMSmun])$/.exec(v) : null;
  if (!m) return undefined;
  const n = Number(m[1]);
  const f: Record<string, number> = { H: 3600000, M: 60000, S: 1000, m: 1, u: 0.001, n: 0.000001 };
  return Math.ceil(n * f[m[2]!]!);
}
