// virtualservice.DestinationHostAnalyzer: every host a VirtualService routes or mirrors to is
// known — a Service in the input, a ServiceEntry host, or either under its FQDN form (IST0101).
import { hostMatches, resolveHost, type AnalysisContext, type Analyzer } from './context.js';
import { NETWORKING, vsDestinations } from './destinations.js';
import { ReferencedResourceNotFound } from './messages.js';

export const vsDestinationHosts: Analyzer = {
  name: 'virtualservice.DestinationHostAnalyzer',
  analyze(ctx: AnalysisContext) {
    const services = ctx.serviceHosts();
    const entryHosts = ctx
      .of(NETWORKING, 'ServiceEntry')
      .flatMap((se) =>
        ((se.res.spec as { hosts?: string[] })?.hosts ?? []).map((h) => resolveHost(h, se.ns)),
      );
    const known = (fqdn: string): boolean =>
      services.has(fqdn) || entryHosts.some((h) => hostMatches(h, fqdn) || h === fqdn);
    for (const vs of ctx.of(NETWORKING, 'VirtualService'))
      for (const d of vsDestinations(vs))
        if (!known(resolveHost(d.host, vs.ns)))
          ctx.report(vs, ReferencedResourceNotFound, [d.mirror ? 'mirror host' : 'host', d.host], d.path);
  },
};
