// Envoy's filter-chain selection (listener_components "filter chain match"): criteria are
// applied in order — destination port, destination IP, server name, transport protocol,
// application protocols, source type, source IP, source port — and at each step the most
// specific match wins, chains that leave the criterion empty being the fallback. Pure code.
import { isIPv4 } from 'node:net';
import { ConfigError, type Msg } from '../config/proto.js';
import type { ConnectionInfo } from './connection.js';

interface Cidr {
  v4: boolean;
  bits: bigint;
  len: number;
}

export interface ChainMatch {
  destinationPort: number | undefined;
  prefixRanges: Cidr[];
  serverNames: string[];
  transportProtocol: string;
  applicationProtocols: string[];
  sourceType: 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL';
  sourcePrefixRanges: Cidr[];
  directSourcePrefixRanges: Cidr[];
  sourcePorts: number[];
}

function ipBits(addr: string): { v4: boolean; bits: bigint } | undefined {
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

function parseCidr(c: Msg, path: string): Cidr {
  const ip = ipBits(c.address_prefix as string);
  if (!ip) throw new ConfigError(path, `invalid address_prefix ${c.address_prefix}`);
  const len = Number(c.prefix_len?.value ?? (ip.v4 ? 32 : 128));
  return { ...ip, len };
}

/** Longest matching prefix length, or -1. */
function bestPrefix(ranges: Cidr[], addr: string): number {
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

export function parseChainMatch(m: Msg | undefined, path: string): ChainMatch {
  const cidrs = (l: Msg[] | undefined, p: string): Cidr[] =>
    (l ?? []).map((c, i) => parseCidr(c, `${p}[${i}]`));
  return {
    destinationPort: m?.destination_port?.value,
    prefixRanges: cidrs(m?.prefix_ranges, `${path}.prefix_ranges`),
    serverNames: ((m?.server_names ?? []) as string[]).map((s) => s.toLowerCase()),
    transportProtocol: (m?.transport_protocol as string | undefined) ?? '',
    applicationProtocols: m?.application_protocols ?? [],
    sourceType: m?.source_type ?? 'ANY',
    sourcePrefixRanges: cidrs(m?.source_prefix_ranges, `${path}.source_prefix_ranges`),
    directSourcePrefixRanges: cidrs(m?.direct_source_prefix_ranges, `${path}.direct_source_prefix_ranges`),
    sourcePorts: (m?.source_ports ?? []).map(Number),
  };
}

/** Specificity of a chain for one criterion: >0 specific match, 0 criterion empty, <0 no match. */
type Scorer = (m: ChainMatch, c: ConnectionInfo) => number;

function serverNameScore(names: string[], sni: string): number {
  if (names.length === 0) return 0;
  if (names.includes(sni)) return 1_000_000;
  let best = -1;
  for (const n of names)
    if (n.startsWith('*.') && sni.endsWith(n.slice(1)) && sni.length > n.length - 1)
      best = Math.max(best, n.length);
  return best;
}

const isLoopback = (a: string): boolean => a.startsWith('127.') || a === '::1';

const SCORERS: Scorer[] = [
  (m, c) => (m.destinationPort === undefined ? 0 : m.destinationPort === c.localPort ? 1 : -1),
  (m, c) => (m.prefixRanges.length === 0 ? 0 : bestPrefix(m.prefixRanges, c.localAddress) + 1 || -1),
  (m, c) => serverNameScore(m.serverNames, c.serverName),
  (m, c) => (m.transportProtocol === '' ? 0 : m.transportProtocol === c.transportProtocol ? 1 : -1),
  (m, c) =>
    m.applicationProtocols.length === 0
      ? 0
      : m.applicationProtocols.some((p) => c.applicationProtocols.includes(p))
        ? 1
        : -1,
  (m, c) =>
    m.directSourcePrefixRanges.length === 0
      ? 0
      : bestPrefix(m.directSourcePrefixRanges, c.remoteAddress) + 1 || -1,
  (m, c) => {
    if (m.sourceType === 'ANY') return 0;
    const local = isLoopback(c.remoteAddress) || c.remoteAddress === c.localAddress;
    return (m.sourceType === 'SAME_IP_OR_LOOPBACK') === local ? 1 : -1;
  },
  (m, c) =>
    m.sourcePrefixRanges.length === 0 ? 0 : bestPrefix(m.sourcePrefixRanges, c.remoteAddress) + 1 || -1,
  (m, c) => (m.sourcePorts.length === 0 ? 0 : m.sourcePorts.includes(c.remotePort) ? 1 : -1),
];

/** Index of the chosen chain, or -1 (then the default_filter_chain applies). */
export function selectFilterChain(chains: readonly ChainMatch[], c: ConnectionInfo): number {
  let candidates = chains.map((_, i) => i);
  for (const score of SCORERS) {
    let best = -1;
    let kept: number[] = [];
    for (const i of candidates) {
      const s = score(chains[i]!, c);
      if (s < 0) continue;
      if (s > best) {
        best = s;
        kept = [i];
      } else if (s === best) kept.push(i);
    }
    if (kept.length === 0) return -1;
    candidates = kept;
  }
  return candidates[0] ?? -1;
}
