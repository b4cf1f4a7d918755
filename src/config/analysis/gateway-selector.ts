// gateway.IngressGatewayPortAnalyzer (its selector half): a Gateway's selector matches some
// workload in the input, or the ingress gateway `weft up` runs (IST0101 "selector").
import { selectorString, selects, type AnalysisContext, type Analyzer } from './context.js';
import { NETWORKING } from './destinations.js';
import { ReferencedResourceNotFound } from './messages.js';

export const gatewaySelector: Analyzer = {
  name: 'gateway.IngressGatewayPortAnalyzer',
  analyze(ctx: AnalysisContext) {
    const workloads = ctx.workloads();
    for (const gw of ctx.of(NETWORKING, 'Gateway')) {
      const selector = ((gw.res.spec ?? {}) as { selector?: Record<string, string> }).selector ?? {};
      if (workloads.some((w) => selects(selector, w.labels))) continue;
      const first = Object.keys(selector)[0];
      ctx.report(
        gw,
        ReferencedResourceNotFound,
        ['selector', selectorString(selector)],
        first ? ['spec', 'selector', first] : ['spec'],
      );
    }
  },
};
