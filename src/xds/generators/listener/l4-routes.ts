// VirtualService tcp and tls routes → listener filter chains (Istio buildSidecarOutboundTCPTLSFilterChainOpts):
// tls routes match SNI (server_names), tcp routes match destination subnets; each forwards with tcp_proxy.
import type { PushContext, VirtualServiceConfig } from '../../push-context.js';
import type { RouteDestination } from '../../../registry/specs.js';
import { destinationCluster } from '../route/translate.js';
import { matchApplies, type RouteScope } from '../route/match.js';
import { tcpFilters, type WeightedCluster } from './network-filters.js';
import type { ListenerClass } from './telemetry.js';

export function weightedTargets(
  push: PushContext,
  route: RouteDestination[] | undefined,
  port: number,
): WeightedCluster[] {
  return (route ?? [])
    .filter((d) => d.weight === undefined || d.weight > 0)
    .map((d) => ({ name: destinationCluster(push, d.destination, port), weight: d.weight ?? 100 }));
}

function cidr(s: string): object {
  const [address, len] = s.split('/');
  return {
    address_prefix: address,
    prefix_len: { value: Number(len ?? (address!.includes(':') ? 128 : 32)) },
  };
}

/** Filter chains for a VirtualService's tls and tcp routes on one port, in route order. */
export function l4FilterChains(
  push: PushContext,
  vs: VirtualServiceConfig | undefined,
  scope: RouteScope,
  statPrefix: string,
  cls: ListenerClass,
): object[] {
  if (!vs) return [];
  const chains: object[] = [];
  for (const tls of vs.spec.tls ?? []) {
    const targets = weightedTargets(push, tls.route, scope.port);
    if (targets.length === 0) continue;
    for (const m of tls.match.filter((x) => matchApplies(x, scope)))
      chains.push({
        filter_chain_match: {
          server_names: m.sniHosts,
          ...(m.destinationSubnets?.length ? { prefix_ranges: m.destinationSubnets.map(cidr) } : {}),
        },
        filters: tcpFilters(push, statPrefix, targets, cls),
      });
  }
  for (const tcp of vs.spec.tcp ?? []) {
    const targets = weightedTargets(push, tcp.route, scope.port);
    if (targets.length === 0) continue;
    const matches = tcp.match?.length ? tcp.match.filter((x) => matchApplies(x, scope)) : [{}];
    for (const m of matches as { destinationSubnets?: string[] }[])
      chains.push({
        ...(m.destinationSubnets?.length
          ? { filter_chain_match: { prefix_ranges: m.destinationSubnets.map(cidr) } }
          : {}),
        filters: tcpFilters(push, statPrefix, targets, cls),
      });
  }
  // Envoy rejects two chains with the same match; the first route for a match wins, as in Istio.
  const seen = new Set<string>();
  return chains.filter((c) => {
    const key = JSON.stringify((c as { filter_chain_match?: object }).filter_chain_match ?? {});
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
