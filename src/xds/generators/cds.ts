// CDS (Istio pilot/pkg/xds/cds.go + BuildClusters): outbound clusters for every proxy, inbound and
// passthrough clusters for sidecars, SNI-DNAT clusters for AUTO_PASSTHROUGH gateways; proxyless gRPC clients get EDS clusters they asked for.
import type { Generator, ProxyInfo, PushRequest, XdsResource } from '../contracts.js';
import type { PushContext } from '../push-context.js';
import { TypeUrl } from '../type-urls.js';
import { affectsNonSecretTypes } from './push-filter.js';
import { outboundClusters } from './cluster/outbound.js';
import { hasAutoPassthrough } from './gateway/servers.js';
import {
  blackHoleCluster,
  inboundClusters,
  inboundPassthroughCluster,
  passthroughCluster,
} from './cluster/special.js';

export function buildClusters(proxy: ProxyInfo, push: PushContext): object[] {
  if (proxy.proxyless) return outboundClusters(proxy, push, { proxyless: true });
  const out = [...outboundClusters(proxy, push), blackHoleCluster(push), passthroughCluster(push)];
  if (proxy.type === 'router' && hasAutoPassthrough(proxy, push))
    out.push(...outboundClusters(proxy, push, { sniDnat: true }));
  if (proxy.type === 'sidecar') out.push(...inboundClusters(proxy, push), inboundPassthroughCluster(push));
  return out;
}

export const cds: Generator<PushContext> = {
  typeUrl: TypeUrl.Cluster,
  generate({ proxy, push, names }): XdsResource[] {
    // Envoy always asks for every cluster; proxyless clients name the ones they route to.
    const grpc = proxy.proxyless || (names !== undefined && names.length > 0);
    const all = buildClusters({ ...proxy, proxyless: grpc }, push).map((c) => ({
      name: (c as { name: string }).name,
      resource: c,
    }));
    if (!names) return all;
    const wanted = new Set(names);
    return all.filter((r) => wanted.has(r.name));
  },
  needsPush(_proxy: ProxyInfo, update: PushRequest, push: PushContext): boolean {
    if (update.full) return affectsNonSecretTypes(update);
    // DNS clusters carry their endpoints inline, so their endpoint changes are CDS changes.
    return [...update.edsUpdates].some((h) => {
      const r = push.service(h)?.resolution;
      return r === 'DNS' || r === 'DNSRoundRobin';
    });
  },
};
