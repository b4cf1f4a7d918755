// CIDR ranges (envoy.config.core.v3.CidrRange) for IPv4 and IPv6: parse once, longest match.
import { isIPv4 } from 'node:net';
import { ConfigError, type Msg } from '../config/proto.js';

export interface Cidr {
  v4: boolean;
  bits: bigint;
  len: number;
}

export function ipBits(addr: string): { v4: boolean; bits: bigint } | undefined {
  if (isIPv4(addr)) {
    const p = addr.split('.').map(Number);
    return { v4: true, bits: BigInt(((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0) };
  }
  if (!addr.includes(':')) return undefined;
  const [head, tail] = addr.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  let b = 0n;
  for (const g of groups) b = (b << 16n) | BigInt(parseInt(g || '0', 16));
  return { v4: false, bits: b };
}

export function parseCidr(c: Msg, path: string): Cidr {
  const ip = ipBits(c.address_prefix as string);
  if (!ip) throw new ConfigError(path, `invalid address_prefix ${c.address_prefix}`);
  const len = Number(c.prefix_len?.value ?? (ip.v4 ? 32 : 128));
  return { ...ip, len };
}

/** Longest matching prefix length, or -1. */
export function bestPrefix(ranges: readonly Cidr[], addr: string): number {
  const ip = ipBits(addr);
  if (!ip) return -1;
  let best = -1;
  for (const r of ranges) {
    if (r.v4 !== ip.v4) continue;
    const width = r.v4 ? 32n : 128n;
    const shift = width - BigInt(r.len);
    if (r.bits >> shift === ip.bits >> shift && r.len > best) best = r.len;
  }
  return best;
}
