// Mixer rules name handlers and instances (and prometheus handlers name instances); each must
// exist, resolved the way Mixer canonicalizes names (IST0101 "handler" / "instance").
import { handlerAdapter, instanceTemplate, mixerFqn, mixerReferences } from '../../api/mixer/index.js';
import type { AnalysisContext, Analyzer } from './context.js';
import { ReferencedResourceNotFound } from './messages.js';

export const mixerRefs: Analyzer = {
  name: 'mixer.ReferenceAnalyzer',
  analyze(ctx: AnalysisContext) {
    const items = ctx.ofGroup('config.istio.io');
    const known = {
      handler: new Set(
        items
          .filter((i) => i.res.kind === 'handler' || handlerAdapter(i.res) !== undefined)
          .map((i) => mixerFqn(i.res)),
      ),
      instance: new Set(
        items
          .filter((i) => i.res.kind === 'instance' || instanceTemplate(i.res) !== undefined)
          .map((i) => mixerFqn(i.res)),
      ),
    };
    for (const item of items)
      for (const ref of mixerReferences(item.res))
        if (!ref.candidates.some((c) => known[ref.role].has(c)))
          ctx.report(item, ReferencedResourceNotFound, [ref.role, ref.ref], ref.path);
  },
};
