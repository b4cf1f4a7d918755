// Load balancers on fixed host sets with a seeded random source: round robin (plain and
// weighted), least request (P2C), random, ring hash and maglev consistency, priorities with
// overprovisioning and failover, locality weights, panic mode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Host, HealthFlag, type HostSet } from '../../src/proxy/upstream/host.js';
import { hash32 } from '../../src/proxy/upstream/lb/hash.js';
import { leastRequest } from '../../src/proxy/upstream/lb/least-request.js';
import { maglev } from '../../src/proxy/upstream/lb/maglev.js';
import { pickerFactory } from '../../src/proxy/upstream/lb/policy.js';
import { PriorityLoadBalancer } from '../../src/proxy/upstream/lb/priority.js';
import { ringHash } from '../../src/proxy/upstream/lb/ring-hash.js';
import { roundRobin } from '../../src/proxy/upstream/lb/round-robin.js';
import type { Random } from '../../src/proxy/upstream/lb/types.js';

/** Deterministic PRNG (mulberry32). */
function seeded(seed = 1): Random {
  let a = seed;
  return {
    next() {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

const hosts = (n: number, weights: number[] = []): Host[] =>
  Array.from({ length: n }, (_, i) => new Host(`10.0.0.${i + 1}`, 80, weights[i] ?? 1));

function counts(pick: () => Host | undefined, n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const h = pick()!;
    m.set(h.address, (m.get(h.address) ?? 0) + 1);
  }
  return m;
}

describe('round robin', () => {
  it('rotates through equal-weight hosts', () => {
    const hs = hosts(3);
    const p = roundRobin(hs, { next: () => 0 });
    assert.deepEqual(
      Array.from({ length: 6 }, () => p.pick({})!.address),
      ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.2', '10.0.0.3'],
    );
  });
  it('honours weights exactly over a cycle', () => {
    const p = roundRobin(hosts(3, [5, 1, 1]), seeded());
    const c = counts(() => p.pick({}), 700);
    assert.deepEqual([c.get('10.0.0.1'), c.get('10.0.0.2'), c.get('10.0.0.3')], [500, 100, 100]);
  });
});

describe('least request', () => {
  it('prefers the less loaded of two choices', () => {
    const hs = hosts(2);
    hs[0]!.activeRequests = 10;
    let i = 0;
    const p = leastRequest(hs, { next: () => [0, 0.9][i++ % 2]! });
    assert.equal(p.pick({})!.address, '10.0.0.2');
  });
  it('spreads load when requests stay active', () => {
    const hs = hosts(4);
    const p = leastRequest(hs, seeded(7));
    for (let i = 0; i < 400; i++) p.pick({})!.activeRequests++;
    const max = Math.max(...hs.map((h) => h.activeRequests));
    const min = Math.min(...hs.map((h) => h.activeRequests));
    assert.ok(max - min < 10, `imbalance ${max - min}`);
  });
});

describe('consistent hashing', () => {
  for (const [name, make] of [
    ['ring hash', (hs: Host[]) => ringHash(hs, seeded())],
    ['maglev', (hs: Host[]) => maglev(hs, seeded(), 1021)],
  ] as const) {
    it(`${name}: same key → same host, and few keys move when a host is removed`, () => {
      const hs = hosts(5);
      const p = make(hs);
      const keys = Array.from({ length: 1000 }, (_, i) => hash32(`user-${i}`));
      const before = keys.map((k) => p.pick({ hashKey: k })!.address);
      assert.deepEqual(
        keys.map((k) => p.pick({ hashKey: k })!.address),
        before,
      );
      const p2 = make(hs.slice(0, 4));
      const after = keys.map((k) => p2.pick({ hashKey: k })!.address);
      const moved = before.filter((b, i) => b !== '10.0.0.5' && b !== after[i]).length;
      assert.ok(moved < 100, `${moved} keys moved between surviving hosts`);
      const share = before.filter((b) => b === '10.0.0.1').length;
      assert.ok(share > 120 && share < 280, `host share ${share}/1000`);
    });
  }
});

describe('priorities and localities', () => {
  const set = (priority: number, hs: Host[], weights: [string, number][] = []): HostSet => ({
    priority,
    hosts: hs,
    localityWeights: new Map(weights),
  });
  const rr = pickerFactory({ kind: 'round_robin' }, seeded());

  it('sends everything to P0 while it is healthy', () => {
    const lb = new PriorityLoadBalancer(
      [set(0, hosts(2)), set(1, [new Host('10.1.0.1', 80)])],
      rr,
      seeded(),
      false,
    );
    const c = counts(() => lb.pick({}), 200);
    assert.equal(c.get('10.1.0.1'), undefined);
  });

  it('spills over to P1 in proportion to P0 health (overprovisioning 1.4)', () => {
    const p0 = hosts(10);
    for (const h of p0.slice(0, 5)) h.healthFlags |= HealthFlag.FAILED_ACTIVE_HC;
    const lb = new PriorityLoadBalancer(
      [set(0, p0), set(1, [new Host('10.1.0.1', 80)])],
      rr,
      seeded(3),
      false,
    );
    const c = counts(() => lb.pick({}), 10000);
    // P0 health = min(100, 1.4 × 50%) = 70% of traffic; P1 takes the remaining 30%.
    const p1 = c.get('10.1.0.1') ?? 0;
    assert.ok(p1 > 2700 && p1 < 3300, `P1 share ${p1}`);
    for (const h of p0.slice(0, 5)) assert.equal(c.get(h.address), undefined);
  });

  it('panics below 50% total health and uses every host', () => {
    const p0 = hosts(4);
    for (const h of p0.slice(0, 3)) h.healthFlags |= HealthFlag.FAILED_OUTLIER_CHECK;
    const lb = new PriorityLoadBalancer([set(0, p0)], rr, seeded(), false);
    assert.equal(counts(() => lb.pick({}), 400).size, 4);
  });

  it('weights localities by load_balancing_weight', () => {
    const a = new Host('10.0.1.1', 80, 1, 0, { region: 'r', zone: 'a', sub_zone: '' });
    const b = new Host('10.0.2.1', 80, 1, 0, { region: 'r', zone: 'b', sub_zone: '' });
    const lb = new PriorityLoadBalancer(
      [
        set(
          0,
          [a, b],
          [
            ['r/a/', 3],
            ['r/b/', 1],
          ],
        ),
      ],
      rr,
      seeded(5),
      true,
    );
    const c = counts(() => lb.pick({}), 8000);
    const share = (c.get('10.0.1.1') ?? 0) / 8000;
    assert.ok(share > 0.72 && share < 0.78, `zone a share ${share}`);
  });
});
