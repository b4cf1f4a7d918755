// One attempt of a request to one upstream host (Envoy UpstreamRequest): sends headers and body
// through the host's pool, relays the response, enforces the route timeout and does the cluster
// and host accounting. Failures go back to the router, which decides (local reply; retries hook
// in there).
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { HeaderMap } from '../../../http/header-map.js';
import type { Admittable } from '../../../upstream/circuit-breaker/breakers.js';
import type { Cluster } from '../../../upstream/cluster.js';
import type { Host } from '../../../upstream/host.js';
import type {
  ResetReason,
  UpstreamHandler,
  UpstreamRequestSpec,
  UpstreamStream,
} from '../../../upstream/pool/types.js';
import { countResponseCode } from '../../../stats/store.js';
import type { FilterCallbacks } from '../types.js';

export interface AttemptOwner {
  onUpstreamHeaders(status: number, headers: HeaderMap, endStream: boolean): void;
  onUpstreamFailure(reason: ResetReason, err: Error, responseStarted: boolean): void;
  onUpstreamTimeout(responseStarted: boolean): void;
  onUpstreamComplete(): void;
}

export class UpstreamRequest implements UpstreamHandler, Admittable {
  private stream: UpstreamStream | undefined;
  private spec: UpstreamRequestSpec | undefined;
  /** the upstream's response status (outlier detection, retries) */
  private status: number | undefined;
  /** the timeout is a retry policy per_try_timeout rather than the route timeout */
  private perTry = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly startNs = process.hrtime.bigint();
  responseStarted = false;
  private finished = false;

  constructor(
    private readonly owner: AttemptOwner,
    private readonly cb: FilterCallbacks,
    readonly cluster: Cluster,
    readonly host: Host,
  ) {}

  start(spec: UpstreamRequestSpec, timeoutMs: number, perTry = false): void {
    const { cluster, host } = this;
    cluster.stats.upstream_rq_total.value++;
    cluster.gauges.upstream_rq_active.value++;
    host.activeRequests++;
    host.rqTotal++;
    this.perTry = perTry;
    if (timeoutMs > 0) this.timer = setTimeout(() => this.onTimeout(), timeoutMs);
    this.spec = spec;
    const admission = cluster.breakers.admit(this);
    if (admission === 'go') this.dispatch();
    else if (admission === 'overflow') this.overflow();
  }

  /** Circuit breakers admitted the attempt: send it through the host's pool. */
  dispatch(): void {
    this.stream = this.cluster.pool(this.host).request(this.spec!, this);
  }

  overflow(): void {
    this.onError('overflow', new Error('overflow'));
  }

  /** ms since the attempt started (x-envoy-upstream-service-time) */
  elapsedMs(): number {
    return Number((process.hrtime.bigint() - this.startNs) / 1_000_000n);
  }

  onHeaders(status: number, headers: IncomingHttpHeaders, endStream: boolean): void {
    this.responseStarted = true;
    this.status = status;
    countResponseCode(this.cluster.scope, 'upstream_rq', status, this.cluster.codeCounters);
    this.owner.onUpstreamHeaders(
      status,
      new HeaderMap(headers as Record<string, string | string[]>),
      endStream,
    );
  }

  onData(chunk: Buffer): boolean {
    // An attempt abandoned for a retry may still deliver buffered data: it is not the response.
    if (this.finished) return true;
    if (this.cb.encodeData(chunk)) return true;
    this.cb.onDrain(() => this.stream?.resume());
    return false;
  }

  onEnd(trailers: IncomingHttpHeaders | undefined): void {
    if (this.finished) return;
    if (trailers) this.cb.encodeTrailers(trailers as Record<string, string | string[]>);
    this.finish(true, undefined);
    this.owner.onUpstreamComplete();
  }

  onError(reason: ResetReason, err: Error): void {
    if (this.finished) return;
    if (reason === 'remote reset' || reason === 'connection termination')
      this.cluster.stats.upstream_rq_rx_reset.value++;
    this.finish(false, reason);
    this.owner.onUpstreamFailure(reason, err, this.responseStarted);
  }

  onUpgrade(status: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.responseStarted = true;
    countResponseCode(this.cluster.scope, 'upstream_rq', status, this.cluster.codeCounters);
    clearTimeout(this.timer);
    const down = this.cb.upgradeSocket!;
    const h = new HeaderMap(headers as Record<string, string | string[]>);
    this.cb.encodeHeaders(status, h);
    if (this.cb.upgradeHead?.length) socket.write(this.cb.upgradeHead);
    down.pipe(socket);
    socket.pipe(down);
    const close = (): void => {
      down.destroy();
      socket.destroy();
    };
    socket.once('close', () => {
      this.finish(true, undefined);
      close();
    });
    socket.once('error', close);
    down.once('error', close);
    down.once('close', close);
  }

  private onTimeout(): void {
    if (this.finished) return;
    if (this.perTry) this.cluster.scope.counter('upstream_rq_per_try_timeout').value++;
    else this.cluster.stats.upstream_rq_timeout.value++;
    this.host.rqTimeout++;
    this.stream?.abort();
    const started = this.responseStarted;
    this.finish(false, undefined, true);
    this.owner.onUpstreamTimeout(started);
  }

  /** Downstream went away or the router gave up on this attempt. */
  abort(): void {
    if (this.finished) return;
    this.stream?.abort();
    this.cluster.stats.upstream_rq_tx_reset.value++;
    this.finish(false, 'local reset');
  }

  private finish(ok: boolean, reset: string | undefined, timedOut = false): void {
    this.finished = true;
    clearTimeout(this.timer);
    const { cluster, host } = this;
    cluster.gauges.upstream_rq_active.value--;
    cluster.stats.upstream_rq_completed.value++;
    host.activeRequests--;
    if (ok) host.rqSuccess++;
    else host.rqError++;
    cluster.breakers.release(this);
    cluster.reportOutcome({ host, status: this.status, reset, timedOut });
  }
}
