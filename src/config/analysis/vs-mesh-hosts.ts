// virtualservice.ConflictingMeshGatewayHostsAnalyzer: two VirtualServices bound to the mesh
// gateway for the same host (IST0109); Pilot would merge or drop one of them unpredictably.
import { resolveHost, type AnalysisContext, type Analyzer, type Item } from './context.js';
import { NETWORKING } from './destinations.js';
import { ConflictingMeshGatewayVirtualServiceHosts } from './messages.js';

export const vsMeshHosts: Analyzer = {
  name: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  analyze(ctx: AnalysisContext) {
    const byHost = new Map<string, Item[]>();
    for (const vs of ctx.of(NETWORKING, 'VirtualService')) {
      const spec = (vs.res.spec ?? {}) as { gateways?: string[]; hosts?: string[] };
      const gws = spec.gateways ?? [];
      if (gws.length > 0 && !gws.includes('mesh')) continue;
      for (const h of new Set((spec.hosts ?? []).map((x) => resolveHost(x, vs.ns))))
        byHost.set(h, [...(byHost.get(h) ?? []), vs]);
    }
    for (const [host, list] of byHost) {
      if (list.length < 2) continue;
      const names = list.map((v) => `${v.ns}/${v.name}`).join(',');
      for (const vs of list)
        ctx.report(vs, ConflictingMeshGatewayVirtualServiceHosts, [names, host], ['spec', 'hosts']);
    }
  },
};
