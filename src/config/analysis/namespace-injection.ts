// injection.Analyzer: a Namespace with neither istio-injection nor istio.io/rev gets no sidecars
// (IST0102, informational).
import type { AnalysisContext, Analyzer } from './context.js';
import { NamespaceNotInjected } from './messages.js';

const IGNORED = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'local-path-storage',
  'istio-system',
]);

export const namespaceInjection: Analyzer = {
  name: 'injection.Analyzer',
  analyze(ctx: AnalysisContext) {
    for (const ns of ctx.of('', 'Namespace')) {
      if (IGNORED.has(ns.name)) continue;
      const labels = ns.res.metadata.labels ?? {};
      if (labels['istio-injection'] !== undefined || labels['istio.io/rev'] !== undefined) continue;
      ctx.report(ns, NamespaceNotInjected, [ns.name], ['metadata', 'name']);
    }
  },
};
