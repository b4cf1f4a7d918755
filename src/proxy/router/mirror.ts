// Route request_mirror_policies (Envoy shadowing): a sampled copy of the request goes to another
// cluster with "-shadow" appended to the host, fire and forget: the response is discarded and
// a failure never reaches the client.
import type { Readable } from 'node:stream';
import { ConfigError, fraction, type Msg } from '../config/proto.js';
import { portStart } from '../http/host.js';
import { countResponseCode } from '../stats/store.js';
import type { Cluster } from '../upstream/cluster.js';
import type { ClusterManager } from '../upstream/cluster-manager.js';
import type { ResetReason, UpstreamHandler, UpstreamRequestSpec } from '../upstream/pool/types.js';

export interface MirrorPolicy {
  readonly cluster: string | undefined;
  /** cluster_header: the request header naming the cluster */
  readonly clusterHeader: string | undefined;
  readonly fraction: number;
}

export function parseMirrorPolicies(list: Msg[] | undefined, path: string): readonly MirrorPolicy[] {
  return (list ?? []).map((m, i) => {
    if (!m.cluster && !m.cluster_header)
      throw new ConfigError(`${path}.request_mirror_policies[${i}]`, 'cluster or cluster_header is required');
    return Object.freeze({
      cluster: (m.cluster as string | undefined) || undefined,
      clusterHeader: (m.cluster_header as string | undefined)?.toLowerCase(),
      fraction: m.runtime_fraction ? fraction(m.runtime_fraction.default_value) : 1,
    });
  });
}

/** Envoy's shadow host: "-shadow" appended to the host name, before any port. */
export function shadowAuthority(authority: string): string {
  const colon = portStart(authority);
  if (colon > 0) return `${authority.slice(0, colon)}-shadow${authority.slice(colon)}`;
  return `${authority}-shadow`;
}

/** Discards the shadow's response; only the cluster accounting sees it. */
class ShadowRequest implements UpstreamHandler {
  constructor(private readonly cluster: Cluster) {}
  onHeaders(status: number): void {
    countResponseCode(this.cluster.scope, 'upstream_rq', status, this.cluster.codeCounters);
  }
  onData(): boolean {
    return true;
  }
  onEnd(): void {
    this.cluster.stats.upstream_rq_completed.value++;
  }
  onError(_reason: ResetReason): void {
    this.cluster.stats.upstream_rq_completed.value++;
  }
  onUpgrade(): void {}
}

/** Sends the sampled mirrors of one request; `body` gives each its own copy of the body. */
export function sendMirrors(
  policies: readonly MirrorPolicy[],
  clusters: ClusterManager,
  spec: UpstreamRequestSpec,
  req: { header(name: string): string | undefined },
  body: (() => Readable) | undefined,
  random: () => number,
): void {
  for (const p of policies) {
    if (p.fraction < 1 && !(random() < p.fraction)) continue;
    const name = p.cluster ?? req.header(p.clusterHeader!);
    const cluster = name ? clusters.get(name) : undefined;
    const host = cluster?.chooseHost({});
    if (!cluster || !host) continue;
    cluster.stats.upstream_rq_total.value++;
    cluster.pool(host).request(
      {
        method: spec.method,
        path: spec.path,
        authority: shadowAuthority(spec.authority),
        headers: spec.headers.slice(),
        body: body ? body() : null,
      },
      new ShadowRequest(cluster),
    );
  }
}
