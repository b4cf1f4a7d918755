// Installs capture rules inside a pod's network namespace with iptables-restore (nf_tables
// backend), plus the TPROXY policy route, and reads them back for verification.
import { CommandError, run, runInNetns } from '../net/exec.js';
import { buildCaptureRules } from './capture.js';
import type { CaptureConfig } from './config.js';
import { parseRestore, type Tables } from './parse.js';
import type { Family, Rule, RuleSet, Table } from './ruleset.js';

/**
 * Tables always written, even when empty: restore flushes each table it names, so re-applying
 * a different configuration (e.g. TPROXY → REDIRECT) leaves nothing of the previous one. Only
 * ever used inside a pod namespace Weft owns, never in the root namespace.
 */
const RESET_TABLES: readonly Table[] = ['nat', 'mangle', 'raw'];

const tool = (family: Family, name: 'restore' | 'save' | ''): string =>
  `${family === 4 ? 'iptables' : 'ip6tables'}${name ? `-${name}` : ''}`;

export async function applyCapture(netns: string, cfg: CaptureConfig): Promise<RuleSet> {
  const rules = buildCaptureRules(cfg);
  for (const family of rules.families) {
    await runInNetns(netns, tool(family, 'restore'), [], { input: rules.toRestore(family, RESET_TABLES) });
  }
  const tproxy =
    cfg.interceptionMode === 'TPROXY' &&
    (cfg.inboundPortsInclude === '*' || cfg.inboundPortsInclude.length > 0);
  await routeTproxyMark(netns, cfg, rules.families, tproxy);
  return rules;
}

/**
 * TPROXY-marked packets must be delivered locally whatever their destination:
 * `ip rule fwmark <mark> lookup <table>` + `local default dev lo` in that table.
 */
async function routeTproxyMark(netns: string, cfg: CaptureConfig, families: readonly Family[], on: boolean) {
  const mark = String(cfg.tproxyMark);
  const table = String(cfg.tproxyRouteTable);
  for (const family of families) {
    const f = `-${family}`;
    try {
      await run('ip', ['-n', netns, f, 'rule', 'del', 'fwmark', mark, 'lookup', table]);
    } catch (e) {
      // Absent on first apply.
      if (!(e instanceof CommandError)) throw e;
    }
    if (!on) continue;
    await run('ip', ['-n', netns, f, 'rule', 'add', 'fwmark', mark, 'lookup', table]);
    await run('ip', ['-n', netns, f, 'route', 'replace', 'local', 'default', 'dev', 'lo', 'table', table]);
  }
}

/** The namespace's current rules (iptables-save), parsed per table and chain. */
export async function readRules(netns: string, family: Family = 4): Promise<Tables> {
  return parseRestore(await runInNetns(netns, tool(family, 'save'), []));
}

/** Rules of `rules` that the kernel does not hold (checked one by one with `iptables -C`). */
export async function missingRules(netns: string, rules: RuleSet, family: Family = 4): Promise<Rule[]> {
  const missing: Rule[] = [];
  for (const r of rules.list(family)) {
    const params = r.spec[0] === '-I' ? r.spec.slice(3) : r.spec.slice(2);
    try {
      await runInNetns(netns, tool(family, ''), ['-t', r.table, '-C', r.chain, ...params]);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      missing.push(r);
    }
  }
  return missing;
}
