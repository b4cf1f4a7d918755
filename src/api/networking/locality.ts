// Locality load balancing (LocalityLoadBalancerSetting and ZoneAwareLoadBalancerSetting):
// distribute weights, failover regions and failoverPriority labels (agent.ValidateLocalityLbSetting).
import type { Path, Sink } from '../schema/dsl.js';

const TOPOLOGY_LABELS = new Set([
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'topology.istio.io/subzone',
]);

interface Failover {
  from?: string;
  to?: string;
}

/** Localities "region/zone/subzone" with one trailing "*" at most, none overlapping another. */
function localitiesError(localities: readonly string[]): string | undefined {
  const seen: string[][] = [];
  for (const loc of localities) {
    const stars = loc.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !loc.endsWith('*')))
      return `locality ${loc} wildcard '*' number can not exceed 1 and must be in the end`;
    const parts = loc.split('/', 3);
    if (parts.some((p) => p === '')) return `locality ${loc} must not contain empty region/zone/subzone info`;
    // Two localities overlap when one is a prefix of the other or either is "*".
    const overlaps = seen.some((s) => {
      const n = Math.min(s.length, parts.length);
      for (let i = 0; i < n; i++) {
        if (s[i] === '*' || parts[i] === '*') return true;
        if (s[i] !== parts[i]) return false;
      }
      return true;
    });
    if (overlaps) return `locality ${loc} overlap with previous specified ones`;
    seen.push(parts);
  }
  return undefined;
}

function checkFailovers(failover: readonly Failover[], what: string, path: Path, sink: Sink): void {
  failover.forEach((f, i) => {
    const p = [...path, 'failover', i];
    if (f.from === f.to) sink.error(p, `${what} failover settings must specify different regions`);
    if (f.from?.includes('/') || f.to?.includes('/'))
      sink.error(
        p,
        what === 'locality lb'
          ? 'locality lb failover only specify region'
          : 'zone aware lb failover only specifies region; zone and subzone failover are handled automatically',
      );
    if (f.from?.includes('*') || f.to?.includes('*'))
      sink.error(p, `${what} failover region should not contain '*' wildcard`);
  });
}

export function checkLocalityLb(
  lb: {
    distribute?: { from?: string; to?: Record<string, number> }[];
    failover?: Failover[];
    failoverPriority?: string[];
  },
  hasOutlier: boolean,
  path: Path,
  sink: Sink,
): void {
  const distribute = lb.distribute ?? [];
  const failover = lb.failover ?? [];
  const priority = lb.failoverPriority ?? [];
  if (distribute.length && failover.length) {
    sink.error(path, "can not simultaneously specify 'distribute' and 'failover'");
    return;
  }
  if (failover.length) {
    const topo = priority.find((l) => TOPOLOGY_LABELS.has(l));
    if (topo) {
      sink.error(
        [...path, 'failoverPriority'],
        `can not simultaneously set 'failover' and topology label '${topo}' in 'failover_priority'`,
      );
      return;
    }
  }
  for (const [i, d] of distribute.entries()) {
    const p = [...path, 'distribute', i];
    const weights = Object.values(d.to ?? {});
    if (weights.some((w) => w <= 0 || w > 100)) {
      sink.error([...p, 'to'], 'locality weight must be in range [1, 100]');
      return;
    }
    const total = weights.reduce((a, b) => a + b, 0);
    if (total !== 100) {
      sink.error([...p, 'to'], `total locality weight ${total} != 100`);
      return;
    }
    const e = localitiesError(Object.keys(d.to ?? {}));
    if (e) sink.error([...p, 'to'], e);
  }
  const e = localitiesError(distribute.map((d) => d.from ?? ''));
  if (e) sink.error([...path, 'distribute'], e);
  if ((failover.length || priority.length) && !hasOutlier)
    sink.warn(path, 'outlier detection policy must be provided for failover');
  checkFailovers(failover, 'locality lb', path, sink);
}

export function checkZoneAwareLb(
  lb: { failover?: Failover[]; failoverPriority?: string[] },
  hasOutlier: boolean,
  path: Path,
  sink: Sink,
): void {
  (lb.failoverPriority ?? []).forEach((l, i) => {
    if (TOPOLOGY_LABELS.has(l))
      sink.error(
        [...path, 'failoverPriority', i],
        `'failover_priority' for zone aware lb must not use topology label '${l}'; region- and zone-level routing are handled automatically`,
      );
  });
  if ((lb.failover?.length || lb.failoverPriority?.length) && !hasOutlier)
    sink.warn(path, 'outlier detection policy must be provided for failover');
  checkFailovers(lb.failover ?? [], 'zone aware lb', path, sink);
}
