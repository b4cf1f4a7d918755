// virtualservice.DestinationRuleAnalyzer: a destination's subset is defined by a DestinationRule
// for that host (IST0101 "host+subset in destinationrule").
import { resolveHost, type AnalysisContext, type Analyzer } from './context.js';
import { NETWORKING, vsDestinations } from './destinations.js';
import { ReferencedResourceNotFound } from './messages.js';

export const vsSubsets: Analyzer = {
  name: 'virtualservice.DestinationRuleAnalyzer',
  analyze(ctx: AnalysisContext) {
    const defined = new Set<string>();
    for (const dr of ctx.of(NETWORKING, 'DestinationRule')) {
      const spec = (dr.res.spec ?? {}) as { host?: string; subsets?: { name?: string }[] };
      for (const s of spec.subsets ?? []) defined.add(`${resolveHost(spec.host ?? '', dr.ns)}+${s.name}`);
    }
    for (const vs of ctx.of(NETWORKING, 'VirtualService'))
      for (const d of vsDestinations(vs)) {
        if (!d.subset || defined.has(`${resolveHost(d.host, vs.ns)}+${d.subset}`)) continue;
        ctx.report(
          vs,
          ReferencedResourceNotFound,
          [
            d.mirror ? 'mirror+subset in destinationrule' : 'host+subset in destinationrule',
            `${d.host}+${d.subset}`,
          ],
          d.path,
        );
      }
  },
};
