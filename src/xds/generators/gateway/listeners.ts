// Gateway listeners (Istio buildGatewayListeners): one `0.0.0.0_<port>` listener per port with a
// filter chain per server — plain HTTP (RDS http.<port>), terminated HTTPS matched by SNI, TLS
// passthrough and TCP forwarded by the VirtualServices bound to the gateway, AUTO_PASSTHROUGH by SNI.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { hostsIntersect } from '../../../registry/host.js';
import type { RouteScope } from '../route/match.js';
import { l4FilterChains } from '../listener/l4-routes.js';
import { httpConnectionManager, listenerFilter } from '../listener/network-filters.js';
import { gatewayServers, serverNames, splitServerHost, type GatewayServerInfo } from './servers.js';
import { downstreamTransportSocket } from './server-tls.js';
import { httpSecurityFilters } from '../security/inbound.js';
import { autoPassthroughChains } from './auto-passthrough.js';

export function gatewayListeners(proxy: ProxyInfo, push: PushContext): object[] {
  const byPort = new Map<number, GatewayServerInfo[]>();
  for (const s of gatewayServers(proxy, push))
    byPort.set(s.listenPort, [...(byPort.get(s.listenPort) ?? []), s]);
  const out: object[] = [];
  // AuthorizationPolicy / RequestAuthentication selecting the gateway workload apply to every HCM.
  const security = httpSecurityFilters(proxy, push);
  for (const [port, servers] of [...byPort].sort((a, b) => a[0] - b[0])) {
    const chains: object[] = [];
    let plainHttp = false;
    for (const s of servers) {
      const statPrefix = `outbound_0.0.0.0_${port}`;
      if (s.kind === 'http') {
        if (plainHttp) continue; // every plain-HTTP server on a port shares one chain and route
        plainHttp = true;
        chains.push({
          filters: [httpConnectionManager(push, { statPrefix, rds: s.routeName!, edge: true, security })],
        });
      } else if (s.kind === 'https') {
        const names = serverNames(s.server);
        chains.push({
          ...(names.length > 0 ? { filter_chain_match: { server_names: names } } : {}),
          transport_socket: downstreamTransportSocket(s.server.tls ?? {}, ['h2', 'http/1.1']),
          filters: [httpConnectionManager(push, { statPrefix, rds: s.routeName!, edge: true, security })],
        });
      } else if (s.kind === 'auto-passthrough') {
        chains.push(...autoPassthroughChains(proxy, push, s));
      } else {
        chains.push(...l4Chains(proxy, push, s, statPrefix));
      }
    }
    if (chains.length === 0) continue;
    const needsSni = servers.some((s) => s.kind !== 'http' && s.kind !== 'tcp');
    out.push({
      name: `0.0.0.0_${port}`,
      address: { socket_address: { address: '0.0.0.0', port_value: port } },
      traffic_direction: 'OUTBOUND',
      ...(needsSni ? { listener_filters: [listenerFilter('tlsInspector')] } : {}),
      filter_chains: dedupeChains(chains),
    });
  }
  return out;
}

/** TLS passthrough / TCP servers: the chains of VirtualServices bound to the gateway and its hosts. */
function l4Chains(proxy: ProxyInfo, push: PushContext, s: GatewayServerInfo, statPrefix: string): object[] {
  const scope: RouteScope = { proxy, port: s.server.port.number, gateways: [s.gatewayName] };
  const hosts = s.server.hosts.map(splitServerHost);
  const vss = push
    .virtualServicesFor(proxy, [s.gatewayName])
    .filter((vs) =>
      vs.hosts.some((h) =>
        hosts.some(
          (sh) =>
            (sh.namespace === '*' ||
              sh.namespace === vs.namespace ||
              (sh.namespace === '.' && vs.namespace === s.gateway.namespace)) &&
            hostsIntersect(sh.host, h),
        ),
      ),
    );
  const chains = vss.flatMap((vs) => l4FilterChains(push, vs, scope, statPrefix, 'gateway'));
  if (s.kind !== 'tls-terminated') return chains;
  const names = serverNames(s.server);
  return chains.map((c) => ({
    ...c,
    filter_chain_match: names.length > 0 ? { server_names: names } : {},
    transport_socket: downstreamTransportSocket(s.server.tls ?? {}, []),
  }));
}

function dedupeChains(chains: object[]): object[] {
  const seen = new Set<string>();
  return chains.filter((c) => {
    const k = JSON.stringify((c as { filter_chain_match?: object }).filter_chain_match ?? {});
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
