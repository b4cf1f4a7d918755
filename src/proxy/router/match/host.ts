// Virtual host selection by :authority with Envoy's precedence: exact domain, then the longest
// "*.suffix" wildcard, then the longest "prefix*" wildcard, then "*". Wildcards must match at
// least one character. Lookups are case-insensitive.
import { ConfigError } from '../../config/proto.js';

export class HostMatcher<T> {
  private readonly exact = new Map<string, T>();
  private readonly suffixes: [string, T][] = [];
  private readonly prefixes: [string, T][] = [];
  private any: T | undefined;

  add(domains: readonly string[], value: T, path: string): void {
    for (const raw of domains) {
      const d = raw.toLowerCase();
      const dup = (): never => {
        throw new ConfigError(path, `only unique values for domains are permitted; "${raw}" is duplicated`);
      };
      if (d === '*') {
        if (this.any !== undefined) dup();
        this.any = value;
      } else if (d.startsWith('*')) {
        if (this.suffixes.some(([s]) => s === d.slice(1))) dup();
        this.suffixes.push([d.slice(1), value]);
      } else if (d.endsWith('*')) {
        if (this.prefixes.some(([s]) => s === d.slice(0, -1))) dup();
        this.prefixes.push([d.slice(0, -1), value]);
      } else {
        if (this.exact.has(d)) dup();
        this.exact.set(d, value);
      }
    }
    this.suffixes.sort((a, b) => b[0].length - a[0].length);
    this.prefixes.sort((a, b) => b[0].length - a[0].length);
  }

  find(authority: string): T | undefined {
    const h = authority.toLowerCase();
    const e = this.exact.get(h);
    if (e !== undefined) return e;
    for (const [s, v] of this.suffixes) if (h.length > s.length && h.endsWith(s)) return v;
    for (const [p, v] of this.prefixes) if (h.length > p.length && h.startsWith(p)) return v;
    return this.any;
  }
}
