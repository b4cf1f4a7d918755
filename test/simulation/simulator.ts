// A small Envoy in reverse (after Istio pilot/pkg/simulation/traffic.go): walks a call through the
// generated listener → filter chain → route configuration → virtual host → route → cluster, using
// Envoy's matching order (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/listener/v3/listener_components.proto).
import { withoutPort } from '../../src/proxy/http/host.js';
import type { Generated } from './harness.js';

export interface Call {
  /** Destination IP (the original destination for captured traffic). */
  address?: string;
  port: number;
  protocol?: 'http' | 'tcp';
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  sni?: string;
  alpn?: string[];
  /** tls for TLS clients (SNI); plaintext otherwise */
  transport?: 'tls' | 'raw_buffer';
  /** outbound: through virtualOutbound (sidecar); gateway: straight to the bound listener; inbound: virtualInbound */
  mode?: 'outbound' | 'gateway' | 'inbound';
}

export interface Result {
  listener?: string;
  filterChain?: string;
  routeConfig?: string;
  virtualHost?: string;
  route?: string;
  cluster?: string;
  weightedClusters?: { name: string; weight: number }[];
  redirect?: Record<string, unknown>;
  directResponse?: { status: number };
  /** the matched Envoy route object, for field assertions */
  routeObject?: Record<string, unknown>;
  /** the chosen chain terminates TLS (has a transport socket) */
  tls?: boolean;
  /** the chain's network filters, and the HCM's HTTP filters, by name in order */
  networkFilters?: string[];
  httpFilters?: string[];
  error?:
    | 'no listener'
    | 'no filter chain'
    | 'multiple filter chains'
    | 'no route config'
    | 'no virtual host'
    | 'no route';
}

type Obj = Record<string, unknown>;

function listenerPort(l: Obj): number {
  return ((l.address as Obj).socket_address as Obj).port_value as number;
}
function listenerAddress(l: Obj): string {
  return ((l.address as Obj).socket_address as Obj).address as string;
}

function findListener(gen: Generated, call: Call): Obj | undefined {
  const mode = call.mode ?? 'outbound';
  if (mode === 'inbound') return gen.listeners.find((l) => l.name === 'virtualInbound');
  if (mode === 'gateway') return gen.listeners.find((l) => listenerPort(l) === call.port);
  const addr = call.address ?? '0.0.0.0';
  return (
    gen.listeners.find((l) => listenerAddress(l) === addr && listenerPort(l) === call.port) ??
    gen.listeners.find(
      (l) =>
        listenerAddress(l) === '0.0.0.0' && listenerPort(l) === call.port && l.name !== 'virtualOutbound',
    ) ??
    gen.listeners.find((l) => l.name === 'virtualOutbound')
  );
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

function inRange(ip: string, r: Obj): boolean {
  const len = (r.prefix_len as { value: number } | undefined)?.value ?? 32;
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return (ipToInt(ip) & mask) === (ipToInt(r.address_prefix as string) & mask);
}

/** Envoy filter chain selection: each criterion in order narrows to the chains that name it and match, or to those that do not name it. */
function selectChain(chains: Obj[], call: Call): Obj[] {
  const transport = call.transport ?? (call.sni ? 'tls' : 'raw_buffer');
  const stages: [(m: Obj) => boolean, (m: Obj) => boolean][] = [
    [
      (m) => m.destination_port !== undefined,
      (m) => (m.destination_port as { value: number }).value === call.port,
    ],
    [
      (m) => ((m.prefix_ranges as Obj[]) ?? []).length > 0,
      (m) => (m.prefix_ranges as Obj[]).some((r) => inRange(call.address ?? '0.0.0.0', r)),
    ],
    [
      (m) => ((m.server_names as string[]) ?? []).length > 0,
      (m) =>
        call.sni !== undefined &&
        (m.server_names as string[]).some(
          (n) => n === call.sni || (n.startsWith('*') && call.sni!.endsWith(n.slice(1))),
        ),
    ],
    [(m) => m.transport_protocol !== undefined, (m) => m.transport_protocol === transport],
    [
      (m) => ((m.application_protocols as string[]) ?? []).length > 0,
      (m) => (call.alpn ?? []).some((a) => (m.application_protocols as string[]).includes(a)),
    ],
  ];
  let candidates = chains;
  for (const [names, matches] of stages) {
    const match = (c: Obj): Obj => (c.filter_chain_match as Obj) ?? {};
    const specific = candidates.filter((c) => names(match(c)) && matches(match(c)));
    candidates = specific.length > 0 ? specific : candidates.filter((c) => !names(match(c)));
  }
  return candidates;
}

function hostMatchRank(domain: string, host: string): number {
  if (domain === host) return 3e6;
  if (domain === '*') return 0;
  if (domain.startsWith('*') && host.endsWith(domain.slice(1))) return 2e6 + domain.length;
  if (domain.endsWith('*') && host.startsWith(domain.slice(0, -1))) return 1e6 + domain.length;
  return -1;
}

function fullMatch(re: string, s: string, flags = ''): boolean {
  return new RegExp(`^(?:${re})$`, flags).test(s);
}

function stringMatches(m: Obj, value: string): boolean {
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix as string);
  if (m.suffix !== undefined) return value.endsWith(m.suffix as string);
  if (m.contains !== undefined) return value.includes(m.contains as string);
  if (m.safe_regex !== undefined) return fullMatch((m.safe_regex as Obj).regex as string, value);
  return false;
}

function routeMatches(match: Obj, req: { path: string; headers: Record<string, string> }): boolean {
  const [pathOnly, query = ''] = req.path.split('?') as [string, string?];
  const cs = (match.case_sensitive as { value: boolean } | undefined)?.value !== false;
  const p = cs ? pathOnly : pathOnly.toLowerCase();
  const norm = (s: string): string => (cs ? s : s.toLowerCase());
  if (match.path !== undefined && p !== norm(match.path as string)) return false;
  if (match.prefix !== undefined && !p.startsWith(norm(match.prefix as string))) return false;
  if (
    match.safe_regex !== undefined &&
    !fullMatch((match.safe_regex as Obj).regex as string, pathOnly, cs ? '' : 'i')
  )
    return false;
  for (const h of (match.headers as Obj[]) ?? []) {
    const v = req.headers[(h.name as string).toLowerCase()];
    let ok = h.present_match ? v !== undefined : v !== undefined && stringMatches(h.string_match as Obj, v);
    if (h.invert_match) ok = !ok;
    if (!ok) return false;
  }
  const params = new URLSearchParams(query);
  for (const q of (match.query_parameters as Obj[]) ?? []) {
    const v = params.get(q.name as string);
    if (q.present_match ? v === null : v === null || !stringMatches(q.string_match as Obj, v)) return false;
  }
  return true;
}

export function simulate(gen: Generated, call: Call): Result {
  const listener = findListener(gen, call);
  if (!listener) return { error: 'no listener' };
  const res: Result = { listener: listener.name as string };
  const chains = selectChain((listener.filter_chains as Obj[]) ?? [], call);
  if (chains.length === 0) return { ...res, error: 'no filter chain' };
  if (chains.length > 1) return { ...res, error: 'multiple filter chains' };
  const chain = chains[0]!;
  if (chain.name) res.filterChain = chain.name as string;
  res.tls = chain.transport_socket !== undefined;
  res.networkFilters = ((chain.filters as Obj[]) ?? []).map((f) => f.name as string);
  const filter = ((chain.filters as Obj[]) ?? []).at(-1)!;
  const cfg = filter.typed_config as Obj;
  if (cfg.http_filters) res.httpFilters = (cfg.http_filters as Obj[]).map((f) => f.name as string);
  if (filter.name === 'envoy.filters.network.tcp_proxy') {
    if (cfg.cluster) res.cluster = cfg.cluster as string;
    else
      res.weightedClusters = ((cfg.weighted_clusters as Obj).clusters as Obj[]).map((c) => ({
        name: c.name as string,
        weight: c.weight as number,
      }));
    return res;
  }
  const rdsName = (cfg.rds as Obj | undefined)?.route_config_name as string | undefined;
  const rc = rdsName ? gen.routes.find((r) => r.name === rdsName) : (cfg.route_config as Obj | undefined);
  if (!rc) return { ...res, error: 'no route config' };
  res.routeConfig = rc.name as string;
  const host = call.host ?? `${call.address}:${call.port}`;
  const vhostKey = rc.ignore_port_in_host_matching ? withoutPort(host) : host;
  let best: { vh: Obj; rank: number } | undefined;
  for (const vh of (rc.virtual_hosts as Obj[]) ?? [])
    for (const d of vh.domains as string[]) {
      const rank = hostMatchRank(d, vhostKey);
      if (rank >= 0 && (!best || rank > best.rank)) best = { vh, rank };
    }
  if (!best) return { ...res, error: 'no virtual host' };
  res.virtualHost = best.vh.name as string;
  const headers: Record<string, string> = {
    ':authority': host,
    ':method': call.method ?? 'GET',
    ':scheme': call.transport === 'tls' ? 'https' : 'http',
    ':path': call.path ?? '/',
  };
  for (const [k, v] of Object.entries(call.headers ?? {})) headers[k.toLowerCase()] = v;
  const route = ((best.vh.routes as Obj[]) ?? []).find((r) =>
    routeMatches(r.match as Obj, { path: call.path ?? '/', headers }),
  );
  if (!route) return { ...res, error: 'no route' };
  res.routeObject = route;
  if (route.name) res.route = route.name as string;
  if (route.redirect) res.redirect = route.redirect as Obj;
  if (route.direct_response) res.directResponse = route.direct_response as { status: number };
  const action = route.route as Obj | undefined;
  if (action?.cluster) res.cluster = action.cluster as string;
  if (action?.weighted_clusters)
    res.weightedClusters = ((action.weighted_clusters as Obj).clusters as Obj[]).map((c) => ({
      name: c.name as string,
      weight: (c.weight as { value: number }).value,
    }));
  return res;
}
