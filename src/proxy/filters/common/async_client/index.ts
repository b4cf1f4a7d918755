// A buffered request to a named cluster (Envoy's Http::AsyncClient), for filters that call out:
// jwt_authn's remote JWKS, ext_authz's HTTP and gRPC check. One host per call from the cluster's
// load balancer, its pool, a timeout; the cluster counts the request like any other.
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { countResponseCode } from '../../../stats/store.js';
import type { ClusterManager } from '../../../upstream/cluster-manager.js';
import type { ResetReason, UpstreamHandler, UpstreamStream } from '../../../upstream/pool/types.js';

export interface AsyncRequest {
  method: string;
  path: string;
  authority: string;
  /** flat [name, value, …], lowercase names */
  headers: string[];
  body?: Buffer;
}

export interface AsyncResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  trailers: IncomingHttpHeaders | undefined;
}

export interface AsyncCall {
  readonly response: Promise<AsyncResponse>;
  /** abandons the call (the downstream went away); the promise never settles */
  cancel(): void;
}

/** Why a call failed without a response, in Envoy's words. */
export class AsyncCallError extends Error {}

class Call implements UpstreamHandler {
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private settled = false;
  timer: NodeJS.Timeout | undefined;
  stream: UpstreamStream | undefined;

  constructor(
    private readonly resolve: (r: AsyncResponse) => void,
    private readonly reject: (e: Error) => void,
    private readonly onStatus: (status: number) => void,
  ) {}

  settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    return true;
  }

  fail(message: string): void {
    if (this.settle()) this.reject(new AsyncCallError(message));
  }

  onHeaders(status: number, headers: IncomingHttpHeaders): void {
    this.status = status;
    this.headers = headers;
    this.onStatus(status);
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onEnd(trailers: IncomingHttpHeaders | undefined): void {
    if (this.settle())
      this.resolve({
        status: this.status,
        headers: this.headers,
        body: Buffer.concat(this.chunks),
        trailers,
      });
  }

  onError(reason: ResetReason): void {
    this.fail(reason);
  }

  onUpgrade(): void {
    this.fail('protocol error');
  }
}

export function sendAsync(
  cm: ClusterManager,
  clusterName: string,
  req: AsyncRequest,
  timeoutMs: number,
): AsyncCall {
  let call: Call | undefined;
  const response = new Promise<AsyncResponse>((resolve, reject) => {
    const cluster = cm.get(clusterName);
    const host = cluster?.chooseHost({});
    if (!cluster || !host)
      return reject(new AsyncCallError(cluster ? 'no healthy upstream' : 'cluster not found'));
    cluster.stats.upstream_rq_total.value++;
    const c = new Call(resolve, reject, (s) =>
      countResponseCode(cluster.scope, 'upstream_rq', s, cluster.codeCounters),
    );
    call = c;
    if (timeoutMs > 0)
      c.timer = setTimeout(() => {
        cluster.stats.upstream_rq_timeout.value++;
        c.stream?.abort();
        c.fail('timeout');
      }, timeoutMs);
    const body = req.body ? Readable.from([req.body]) : null;
    c.stream = cluster
      .pool(host)
      .request(
        { method: req.method, path: req.path, authority: req.authority, headers: req.headers, body },
        c,
      );
  });
  return {
    response,
    cancel() {
      if (call?.settle()) call.stream?.abort();
    },
  };
}
