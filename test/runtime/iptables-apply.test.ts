// The generated rules load into a real pod namespace (iptables 1.8 nf_tables) for every Istio
// golden configuration, and the verification helpers read them back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyCapture, missingRules, readRules } from '../../src/runtime/iptables/apply.js';
import { toolDefaults, sidecarDefaults, type CaptureConfig } from '../../src/runtime/iptables/config.js';
import type { Tables } from '../../src/runtime/iptables/parse.js';
import { parseRestore } from '../../src/runtime/iptables/parse.js';
import type { PodNetwork } from '../../src/runtime/net/pod.js';
import { TestNetwork } from './helpers.js';
import { istioCaptureCases } from './istio-capture-cases.js';

/** Rules per chain, for the tables `expected` uses (iptables-save spells each rule its own way). */
function ruleCounts(tables: Tables, only: Iterable<string>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const name of only) {
    const t = tables.get(name);
    const counts: Record<string, number> = {};
    for (const chain of t?.chains ?? []) if (chain.startsWith('ISTIO_')) counts[chain] = 0;
    for (const [chain, rules] of t?.rules ?? []) if (rules.length > 0) counts[chain] = rules.length;
    out[name] = counts;
  }
  return out;
}

// This machine has no `java` or `ftp` group; iptables resolves names when loading, so the
// owner-group cases use numeric ids in their place.
const GROUP_IDS: Record<string, string> = { java: '2000', ftp: '2001' };
const numericGroups = (groups: string[]): string[] => groups.map((g) => GROUP_IDS[g] ?? g);

describe('applying capture rules in a pod namespace', () => {
  const network = new TestNetwork();
  let pod: PodNetwork;
  after(() => network.cleanup());
  before(async () => {
    const mesh = await network.create();
    pod = await mesh.createPodNetwork({ name: 'rules', namespace: 'test' });
  });

  for (const [name, overrides] of Object.entries(istioCaptureCases)) {
    test(`istio case ${name} loads as generated`, async () => {
      const cfg: CaptureConfig = { ...toolDefaults(), ...overrides };
      if (cfg.ownerGroupsInclude !== '*') cfg.ownerGroupsInclude = numericGroups(cfg.ownerGroupsInclude);
      cfg.ownerGroupsExclude = numericGroups(cfg.ownerGroupsExclude);
      const rules = await applyCapture(pod.netns, cfg);
      for (const family of rules.families) {
        const expected = parseRestore(rules.toRestore(family));
        const actual = await readRules(pod.netns, family);
        assert.deepEqual(
          ruleCounts(actual, expected.keys()),
          ruleCounts(expected, expected.keys()),
          `IPv${family}`,
        );
      }
    });
  }

  test('re-applying replaces the previous configuration, and every rule is found by iptables -C', async () => {
    await applyCapture(pod.netns, { ...sidecarDefaults(), interceptionMode: 'TPROXY', enableIpv6: true });
    const rules = await applyCapture(pod.netns, sidecarDefaults());
    assert.deepEqual(await missingRules(pod.netns, rules, 4), []);
    const mangle = (await readRules(pod.netns, 4)).get('mangle');
    assert.deepEqual([...(mangle?.rules.values() ?? [])].flat(), [], 'no TPROXY rules left behind');
    assert.doesNotMatch(await pod.exec('ip', ['rule']), /fwmark/, 'no TPROXY policy route left behind');
  });

  test('missingRules reports a rule that was removed', async () => {
    const rules = await applyCapture(pod.netns, sidecarDefaults());
    await pod.exec('iptables', ['-t', 'nat', '-D', 'ISTIO_OUTPUT', '-j', 'ISTIO_REDIRECT']);
    const missing = await missingRules(pod.netns, rules, 4);
    assert.deepEqual(
      missing.map((r) => r.spec.join(' ')),
      ['-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
    );
  });
});
