// Two DestinationRules for one host (without workload selectors) leave Pilot to pick one; users
// meet this as "my subset is not found" (scenarios.md #45). Istio has no analyzer code for it.
import { resolveHost, type AnalysisContext, type Analyzer, type Item } from './context.js';
import { NETWORKING } from './destinations.js';
import { MultipleDestinationRules } from './messages.js';

export const drMultiple: Analyzer = {
  name: 'destinationrule.MultipleDestinationRulesAnalyzer',
  analyze(ctx: AnalysisContext) {
    const byHost = new Map<string, Item[]>();
    for (const dr of ctx.of(NETWORKING, 'DestinationRule')) {
      const spec = (dr.res.spec ?? {}) as { host?: string; workloadSelector?: unknown };
      if (!spec.host || spec.workloadSelector) continue;
      const host = resolveHost(spec.host, dr.ns);
      byHost.set(host, [...(byHost.get(host) ?? []), dr]);
    }
    for (const [host, drs] of byHost) {
      if (drs.length < 2) continue;
      const names = drs.map((d) => `${d.ns}/${d.name}`).join(',');
      for (const dr of drs) ctx.report(dr, MultipleDestinationRules, [names, host], ['spec', 'host']);
    }
  },
};
