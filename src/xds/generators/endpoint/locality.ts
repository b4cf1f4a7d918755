// Locality-aware load balancing (Istio applyLocalityLBSetting): failover priorities by how close an
// endpoint's region/zone/subzone is to the proxy, and `distribute` weights per locality.
import type { LocalityLbSetting } from '../../../registry/specs.js';

export interface LocalityGroup {
  locality: string;
  weight: number;
  priority: number;
}

function parts(l: string | undefined): [string, string, string] {
  const [r = '', z = '', s = ''] = (l ?? '').split('/');
  return [r, z, s];
}

/** `region/zone/*` style patterns Istio accepts in distribute and failover. */
function localityMatches(pattern: string, locality: string): boolean {
  const p = pattern.split('/');
  const l = parts(locality);
  return p.every((seg, i) => seg === '*' || seg === l[i]);
}

/** Failover priority: 0 same subzone, 1 same zone, 2 same region, 3 failover target region, 4 the rest. */
export function failoverPriority(
  proxyLocality: string,
  locality: string,
  setting: LocalityLbSetting | undefined,
): number {
  const [pr, pz, ps] = parts(proxyLocality);
  const [r, z, s] = parts(locality);
  if (r === pr && z === pz && s === ps) return 0;
  if (r === pr && z === pz) return 1;
  if (r === pr) return 2;
  const failover = setting?.failover?.find((f) => f.from === pr);
  if (failover && failover.to === r) return 3;
  return failover ? 4 : 3;
}

/**
 * Weights per locality from the first distribute rule whose `from` matches the proxy; a rule's
 * percentage is shared by the localities its key matches. Undefined when no rule applies.
 */
export function distributeWeights(
  proxyLocality: string,
  localities: string[],
  setting: LocalityLbSetting | undefined,
): Map<string, number> | undefined {
  const rule = setting?.distribute?.find(
    (d) => d.from !== undefined && localityMatches(d.from, proxyLocality),
  );
  if (!rule) return undefined;
  const weights = new Map<string, number>();
  for (const [pattern, pct] of Object.entries(rule.to ?? {})) {
    const matching = localities.filter((l) => localityMatches(pattern, l));
    for (const l of matching) weights.set(l, (weights.get(l) ?? 0) + pct / matching.length);
  }
  return weights;
}
