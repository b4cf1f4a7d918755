// destinationrule.SubsetAnalyzer-style: each subset's labels select some pod of the host's
// Service in the input (IST0173); hosts without a Service in the input are not judged.
import { resolveHost, selects, type AnalysisContext, type Analyzer } from './context.js';
import { NETWORKING } from './destinations.js';
import { DestinationRuleSubsetNotSelectPods } from './messages.js';

export const drSubsetPods: Analyzer = {
  name: 'destinationrule.PodNotSelectedAnalyzer',
  analyze(ctx: AnalysisContext) {
    const services = ctx.serviceHosts();
    const workloads = ctx.workloads();
    for (const dr of ctx.of(NETWORKING, 'DestinationRule')) {
      const spec = (dr.res.spec ?? {}) as {
        host?: string;
        subsets?: { name?: string; labels?: Record<string, string> }[];
      };
      const svc = services.get(resolveHost(spec.host ?? '', dr.ns));
      if (!svc) continue;
      const selector = ((svc.res.spec ?? {}) as { selector?: Record<string, string> }).selector;
      if (!selector) continue; // a Service without a selector has hand-made endpoints
      const pods = workloads.filter((w) => w.namespace === svc.ns && selects(selector, w.labels));
      (spec.subsets ?? []).forEach((s, i) => {
        if (!pods.some((p) => selects(s.labels, p.labels)))
          ctx.report(dr, DestinationRuleSubsetNotSelectPods, [s.name ?? ''], ['spec', 'subsets', i]);
      });
    }
  },
};
