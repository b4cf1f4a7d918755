// virtualservice.GatewayAnalyzer: every gateway a VirtualService binds to exists (IST0101), and
// the gateway's servers accept at least one of its hosts (IST0132).
import { hostMatches, type AnalysisContext, type Analyzer } from './context.js';
import { NETWORKING } from './destinations.js';
import { ReferencedResourceNotFound, VirtualServiceHostNotFoundInGateway } from './messages.js';

/** "ns/name" or "name" (in the VirtualService's namespace), as Istio resolves gateway names. */
function gatewayKey(ref: string, vsNs: string): string {
  return ref.includes('/') ? ref : `${vsNs}/${ref}`;
}

export const vsGateways: Analyzer = {
  name: 'virtualservice.GatewayAnalyzer',
  analyze(ctx: AnalysisContext) {
    const gateways = new Map(ctx.of(NETWORKING, 'Gateway').map((g) => [`${g.ns}/${g.name}`, g]));
    for (const vs of ctx.of(NETWORKING, 'VirtualService')) {
      const spec = (vs.res.spec ?? {}) as { gateways?: string[]; hosts?: string[] };
      (spec.gateways ?? []).forEach((ref, i) => {
        if (ref === 'mesh') return;
        const key = gatewayKey(ref, vs.ns);
        const gw = gateways.get(key);
        if (!gw) {
          ctx.report(vs, ReferencedResourceNotFound, ['gateway', ref], ['spec', 'gateways', i]);
          return;
        }
        const servers = ((gw.res.spec ?? {}) as { servers?: { hosts?: string[] }[] }).servers ?? [];
        // a server host may be "ns/host"; only those visible to the VirtualService's namespace count
        const gwHosts = servers
          .flatMap((s) => s.hosts ?? [])
          .map((h) => (h.includes('/') ? h.split('/') : ['*', h]) as [string, string])
          .filter(([ns]) => ns === '*' || (ns === '.' ? gw.ns === vs.ns : ns === vs.ns))
          .map(([, h]) => h);
        const hosts = spec.hosts ?? [];
        const anyMatch = hosts.some((h) => gwHosts.some((g) => hostMatches(g, h) || hostMatches(h, g)));
        if (!anyMatch)
          ctx.report(
            vs,
            VirtualServiceHostNotFoundInGateway,
            [hosts, `${vs.ns}/${vs.name}`, key],
            ['spec', 'gateways', i],
          );
      });
    }
  },
};
