// An ordered list of iptables rules per IP family, rendered as iptables-restore input the way
// istio-iptables does: tables in name order, `-N` for every non-built-in chain, then the rules.

export type Family = 4 | 6;
export type Table = 'filter' | 'nat' | 'mangle' | 'raw';

export interface Rule {
  table: Table;
  chain: string;
  /** `-A CHAIN …` or `-I CHAIN <pos> …`, exactly as iptables-restore reads it. */
  spec: string[];
}

const BUILT_INS = new Set([
  'INPUT',
  'OUTPUT',
  'FORWARD',
  'PREROUTING',
  'POSTROUTING',
  'ACCEPT',
  'RETURN',
  'DROP',
]);

export class RuleSet {
  private readonly rules: Record<Family, Rule[]> = { 4: [], 6: [] };

  constructor(readonly families: readonly Family[]) {}

  /** Appends to every family this set covers (a v6 rule is dropped when IPv6 is off). */
  append(table: Table, chain: string, ...params: string[]): this {
    for (const f of this.families) this.appendTo(f, table, chain, ...params);
    return this;
  }

  appendTo(family: Family, table: Table, chain: string, ...params: string[]): this {
    if (this.families.includes(family))
      this.rules[family].push({ table, chain, spec: ['-A', chain, ...params] });
    return this;
  }

  insert(table: Table, chain: string, position: number, ...params: string[]): this {
    for (const f of this.families) this.insertTo(f, table, chain, position, ...params);
    return this;
  }

  insertTo(family: Family, table: Table, chain: string, position: number, ...params: string[]): this {
    if (this.families.includes(family)) {
      this.rules[family].push({ table, chain, spec: ['-I', chain, String(position), ...params] });
    }
    return this;
  }

  /** Appends one rule per family where a single argument differs by family (loopback, 127.0.0.6). */
  appendVersioned(
    table: Table,
    chain: string,
    values: Record<Family, string>,
    params: (value: string) => string[],
  ): this {
    for (const f of this.families) this.appendTo(f, table, chain, ...params(values[f]));
    return this;
  }

  list(family: Family): readonly Rule[] {
    return this.rules[family];
  }

  /**
   * iptables-restore input. `alwaysTables` are emitted even when empty so a restore (which
   * flushes every table it names) also clears rules a previous configuration left there.
   */
  toRestore(family: Family, alwaysTables: readonly Table[] = []): string {
    const byTable = new Map<Table, string[]>(alwaysTables.map((t) => [t, []]));
    const declared = new Set<string>();
    const declare = (table: Table, chain: string): void => {
      const key = `${table}:${chain}`;
      if (BUILT_INS.has(chain) || declared.has(key)) return;
      declared.add(key);
      lines(table).push(`-N ${chain}`);
    };
    const lines = (table: Table): string[] => {
      let l = byTable.get(table);
      if (!l) byTable.set(table, (l = []));
      return l;
    };
    const rules = this.rules[family];
    for (const r of rules) declare(r.table, r.chain);
    // Jump targets need to exist even when nothing is appended to them.
    for (const r of rules) {
      const j = r.spec.lastIndexOf('-j');
      const target = r.spec[j + 1];
      if (j >= 0 && j === r.spec.length - 2 && target !== undefined) declare(r.table, target);
    }
    for (const r of rules) lines(r.table).push(r.spec.join(' '));
    let out = '';
    for (const table of [...byTable.keys()].sort()) {
      out += `* ${table}\n${(byTable.get(table) ?? []).map((l) => `${l}\n`).join('')}COMMIT\n`;
    }
    return out;
  }
}
