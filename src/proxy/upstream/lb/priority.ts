// Cluster-level host choice: priority levels with overprovisioning (default 1.4) and spill-over,
// optional locality weighting, panic mode below the panic threshold (default 50% health; then all
// hosts are candidates), and the policy's picker inside the chosen set. Rebuilt whenever membership
// or health changes.
import type { Host, HostSet } from '../host.js';
import type { HostPicker, LbContext, PickerFactory, Random } from './types.js';

interface Level {
  load: number; // percent of traffic for this priority
  pickers: { weight: number; picker: HostPicker }[];
  localityTotal: number;
}

export class PriorityLoadBalancer implements HostPicker {
  private readonly levels: Level[] = [];

  constructor(
    sets: readonly HostSet[],
    factory: PickerFactory,
    private readonly random: Random,
    localityWeighted: boolean,
    overprovisioning = 1.4,
    panicThreshold = 50,
  ) {
    const health = sets.map((s) => {
      if (s.hosts.length === 0) return 0;
      const healthy = s.hosts.filter((h) => h.healthy).length;
      return Math.min(100, (overprovisioning * 100 * healthy) / s.hosts.length);
    });
    const totalHealth = Math.min(
      100,
      health.reduce((a, b) => a + b, 0),
    );
    const panic = totalHealth < panicThreshold;
    let remaining = 100;
    sets.forEach((s, i) => {
      let load: number;
      if (panic) load = i === sets.findIndex((x) => x.hosts.length > 0) ? 100 : 0;
      else {
        load = Math.min(remaining, (health[i]! * 100) / Math.max(totalHealth, 1));
        remaining -= load;
      }
      const candidates = panic ? s.hosts : s.hosts.filter((h) => h.healthy);
      this.levels.push(buildLevel(candidates, s, factory, localityWeighted, load, overprovisioning));
    });
  }

  pick(ctx: LbContext): Host | undefined {
    let r = this.random.next() * 100;
    for (const level of this.levels) {
      if (level.load <= 0) continue;
      if (r < level.load || level === this.levels[this.levels.length - 1])
        return pickLevel(level, ctx, this.random);
      r -= level.load;
    }
    const last = this.levels.find((l) => l.load > 0);
    return last ? pickLevel(last, ctx, this.random) : undefined;
  }
}

function buildLevel(
  candidates: Host[],
  set: HostSet,
  factory: PickerFactory,
  localityWeighted: boolean,
  load: number,
  overprovisioning: number,
): Level {
  if (!localityWeighted)
    return { load, pickers: [{ weight: 1, picker: factory(candidates) }], localityTotal: 1 };
  const byLocality = new Map<string, Host[]>();
  for (const h of candidates) {
    const k = h.localityKey();
    let l = byLocality.get(k);
    if (!l) byLocality.set(k, (l = []));
    l.push(h);
  }
  const pickers: Level['pickers'] = [];
  for (const [k, hs] of byLocality) {
    const all = set.hosts.filter((h) => h.localityKey() === k).length;
    const avail = Math.min(1, (overprovisioning * hs.length) / all);
    const weight = (set.localityWeights.get(k) ?? 0) * avail;
    if (weight > 0) pickers.push({ weight, picker: factory(hs) });
  }
  return { load, pickers, localityTotal: pickers.reduce((a, p) => a + p.weight, 0) };
}

function pickLevel(level: Level, ctx: LbContext, random: Random): Host | undefined {
  if (level.pickers.length === 1) return level.pickers[0]!.picker.pick(ctx);
  let r = random.next() * level.localityTotal;
  for (const p of level.pickers) {
    if (r < p.weight) return p.picker.pick(ctx);
    r -= p.weight;
  }
  return level.pickers[level.pickers.length - 1]?.picker.pick(ctx);
}
