// The destinations a VirtualService routes and mirrors to, with field paths for line lookup
// (Istio's virtualservice/util.go getRouteDestinations and getHTTPMirrorDestinations).
import type { Path } from '../../api/schema/dsl.js';
import type { Item } from './context.js';

export interface RouteDestination {
  host: string;
  subset?: string;
  /** Where the destination is written, e.g. spec.http[0].route[1].destination.host. */
  path: Path;
  mirror: boolean;
}

interface Destination {
  host?: string;
  subset?: string;
}
type Route = {
  route?: { destination?: Destination }[];
  mirror?: Destination;
  mirrors?: { destination?: Destination }[];
};

export function vsDestinations(vs: Item): RouteDestination[] {
  const spec = (vs.res.spec ?? {}) as Record<string, Route[] | undefined>;
  const out: RouteDestination[] = [];
  const add = (d: Destination | undefined, path: Path, mirror: boolean): void => {
    if (d?.host) out.push({ host: d.host, ...(d.subset ? { subset: d.subset } : {}), path, mirror });
  };
  for (const section of ['http', 'tcp', 'tls'] as const)
    (spec[section] ?? []).forEach((r, i) => {
      (r.route ?? []).forEach((rd, j) =>
        add(rd.destination, ['spec', section, i, 'route', j, 'destination', 'host'], false),
      );
      if (section !== 'http') return;
      add(r.mirror, ['spec', 'http', i, 'mirror', 'host'], true);
      (r.mirrors ?? []).forEach((m, j) =>
        add(m.destination, ['spec', 'http', i, 'mirrors', j, 'destination', 'host'], true),
      );
    });
  return out;
}

export const NETWORKING = 'networking.istio.io';
