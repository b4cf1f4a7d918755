// Reads iptables-restore input or iptables-save output into the chains it leaves behind:
// `-A` appends, `-I CHAIN N` inserts at N, `-N`/`:CHAIN` declare chains.

export interface TableState {
  /** Chains declared in the text (`-N X` or `:X POLICY [..]`), in order of appearance. */
  chains: string[];
  /** Final rule list per chain, each rule without its `-A CHAIN` prefix. */
  rules: Map<string, string[]>;
}

export type Tables = Map<string, TableState>;

export function parseRestore(text: string): Tables {
  const tables: Tables = new Map();
  let current: TableState | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      const name = line.slice(1).trim();
      current = tables.get(name) ?? { chains: [], rules: new Map() };
      tables.set(name, current);
      continue;
    }
    if (!current) throw new Error(`rule outside a table: ${line}`);
    const words = line.split(/\s+/);
    const [op = '', chain = ''] = words;
    if (op.startsWith(':')) {
      declare(current, op.slice(1));
    } else if (op === '-N') {
      declare(current, chain);
    } else if (op === '-A') {
      chainRules(current, chain).push(words.slice(2).join(' '));
    } else if (op === '-I') {
      const hasPos = /^\d+$/.test(words[2] ?? '');
      const pos = hasPos ? Number(words[2]) : 1;
      chainRules(current, chain).splice(pos - 1, 0, words.slice(hasPos ? 3 : 2).join(' '));
    } else {
      throw new Error(`unsupported iptables-restore line: ${line}`);
    }
  }
  return tables;
}

function declare(t: TableState, chain: string): void {
  if (!t.chains.includes(chain)) t.chains.push(chain);
}

function chainRules(t: TableState, chain: string): string[] {
  let rules = t.rules.get(chain);
  if (!rules) t.rules.set(chain, (rules = []));
  return rules;
}
