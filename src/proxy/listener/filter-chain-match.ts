// Envoy's filter-chain selection (listener_components "filter chain match"): criteria are
// applied in order — destination port, destination IP, server name, transport protocol,
// application protocols, source type, source IP, source port — and at each step the most
// specific match wins, chains that leave the criterion empty being the fallback. Pure code.
import { type Msg } from '../config/proto.js';
import { bestPrefix, parseCidr, type Cidr } from './cidr.js';
import type { ConnectionInfo } from './connection.js';

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
