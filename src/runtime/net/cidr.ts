// IPv4/IPv6 prefix parsing and IPv4 arithmetic for the pod/service CIDRs and the capture
// include/exclude ranges (the same values Istio accepts in traffic.sidecar.istio.io/*).
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  family: 4 | 6;
  /** The address part as written, e.g. `10.244.0.0` or `2001:db8::`. */
  address: string;
  bits: number;
}

export function formatCidr(c: Cidr): string {
  return `${c.address}/${c.bits}`;
}

/** Parses `a.b.c.d/n` or `x::y/n`; returns an error message instead of throwing. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return `"${text}" is not a CIDR (expected ADDRESS/BITS)`;
  const address = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  if (family === 0) return `"${text}" has an invalid IP address "${address}"`;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) {
    return `"${text}" has an invalid prefix length (0-${max})`;
  }
  return { family, address, bits: Number(bitsText) };
}

export function isLoopback(c: Cidr): boolean {
  if (c.family === 4) return c.address.startsWith('127.');
  return ipv6IsLoopback(c.address);
}

function ipv6IsLoopback(address: string): boolean {
  const groups = expandIpv6(address);
  return groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
}

function expandIpv6(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  if (tail === undefined) return h;
  const t = parse(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

export function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** An IPv4 block as integer bounds: network (first) and broadcast (last) addresses. */
export interface Ipv4Block {
  cidr: string;
  first: number;
  last: number;
  bits: number;
}

export function ipv4Block(text: string): Ipv4Block {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(c);
  if (c.family !== 4) throw new Error(`"${text}" is not an IPv4 CIDR`);
  const size = 2 ** (32 - c.bits);
  const first = Math.floor(ipv4ToInt(c.address) / size) * size;
  return { cidr: `${intToIpv4(first)}/${c.bits}`, first, last: first + size - 1, bits: c.bits };
}

export function blocksOverlap(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.first <= b.last && b.first <= a.last;
}
