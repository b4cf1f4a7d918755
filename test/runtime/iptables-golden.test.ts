// Golden test against istio-iptables' own outputs (../shared/testdata/istio-iptables-golden):
// each case is the named configuration from Istio's capture run_test.go, rebuilt on our types.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCaptureRules } from '../../src/runtime/iptables/capture.js';
import { toolDefaults, type CaptureConfig } from '../../src/runtime/iptables/config.js';
import { parseRestore, type Tables } from '../../src/runtime/iptables/parse.js';
import { GOLDEN_DIR, istioCaptureCases as cases } from './istio-capture-cases.js';

/**
 * A golden file is Istio's dry-run trace: `iptables-save`/`ip6tables-save` probes around the
 * IPv4 restore input followed by the IPv6 one. Tables within one restore are in name order, so
 * a table name that does not sort after the previous one starts the next family's restore.
 */
function goldenRestores(text: string): string[] {
  const blocks: string[][] = [];
  let lastTable = '';
  for (const line of text.split('\n')) {
    if (line === 'iptables-save' || line === 'ip6tables-save' || line.trim() === '') continue;
    if (line.startsWith('* ')) {
      const table = line.slice(2);
      if (blocks.length === 0 || table <= lastTable) blocks.push([]);
      lastTable = table;
    }
    blocks.at(-1)?.push(line);
  }
  return blocks.map((b) => b.join('\n'));
}

/** Order-normalised view: declared chains as a set, each chain's final rule list in order. */
function normalise(tables: Tables): Record<string, { chains: string[]; rules: Record<string, string[]> }> {
  const out: Record<string, { chains: string[]; rules: Record<string, string[]> }> = {};
  for (const [name, t] of tables) {
    out[name] = { chains: [...t.chains].sort(), rules: Object.fromEntries([...t.rules].sort()) };
  }
  return out;
}

test('every golden file has a case', () => {
  const files = readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.golden'))
    .map((f) => f.replace(/\.golden$/, ''));
  assert.deepEqual(files.sort(), Object.keys(cases).sort());
});

for (const [name, overrides] of Object.entries(cases)) {
  test(`istio-iptables golden: ${name}`, () => {
    const cfg: CaptureConfig = { ...toolDefaults(), ...overrides };
    const rules = buildCaptureRules(cfg);
    const golden = goldenRestores(readFileSync(join(GOLDEN_DIR, `${name}.golden`), 'utf8'));
    assert.equal(golden.length, rules.families.length, 'one restore per IP family');
    rules.families.forEach((family, i) => {
      assert.deepEqual(
        normalise(parseRestore(rules.toRestore(family))),
        normalise(parseRestore(golden[i] ?? '')),
        `IPv${family} rules differ`,
      );
    });
  });
}
