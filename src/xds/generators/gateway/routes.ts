// Gateway route configurations (Istio buildGatewayHTTPRouteConfig): for the servers behind one route
// name, a virtual host per VirtualService host bound to the gateway and allowed by the server's
// `namespace/host` list; httpsRedirect servers require TLS.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext, VirtualServiceConfig } from '../../push-context.js';
import { hostMatches } from '../../../registry/host.js';
import { translateVirtualService } from '../route/translate.js';
import { gatewayServers, splitServerHost, type GatewayServerInfo } from './servers.js';

function allowedHosts(s: GatewayServerInfo, vs: VirtualServiceConfig): string[] {
  const out: string[] = [];
  for (const entry of s.server.hosts) {
    const { namespace, host } = splitServerHost(entry);
    const nsOk =
      namespace === '*' ||
      namespace === vs.namespace ||
      (namespace === '.' && vs.namespace === s.gateway.namespace);
    if (!nsOk) continue;
    // The narrower of the two names the virtual host (Istio: the VS host if the server host covers it).
    for (const h of vs.hosts) {
      if (hostMatches(host, h)) out.push(h);
      else if (hostMatches(h, host)) out.push(host);
    }
  }
  return [...new Set(out)];
}

export function gatewayRouteNames(proxy: ProxyInfo, push: PushContext): string[] {
  return [...new Set(gatewayServers(proxy, push).flatMap((s) => (s.routeName ? [s.routeName] : [])))];
}

export function gatewayRouteConfig(proxy: ProxyInfo, push: PushContext, name: string): object | undefined {
  const servers = gatewayServers(proxy, push).filter((s) => s.routeName === name);
  if (servers.length === 0) return undefined;
  const vhosts = new Map<
    string,
    { name: string; domains: string[]; routes: object[]; require_tls?: string }
  >();
  for (const s of servers) {
    const port = s.server.port.number;
    for (const vs of push.virtualServicesFor(proxy, [s.gatewayName])) {
      if (!vs.spec.http?.length) continue;
      const hosts = allowedHosts(s, vs);
      if (hosts.length === 0) continue;
      const routes = translateVirtualService(vs, { proxy, port, gateways: [s.gatewayName] }, push);
      for (const host of hosts) {
        const existing = vhosts.get(host);
        if (existing) {
          existing.routes.push(...routes);
          continue;
        }
        vhosts.set(host, {
          name: `${host}:${s.listenPort}`,
          domains: [host],
          routes: [...routes],
          ...(s.server.tls?.httpsRedirect ? { require_tls: 'ALL' } : {}),
        });
      }
    }
  }
  // httpsRedirect answers every server host, routed or not: Envoy redirects before route matching.
  for (const s of servers.filter((x) => x.server.tls?.httpsRedirect))
    for (const { host } of s.server.hosts.map(splitServerHost))
      if (!vhosts.has(host))
        vhosts.set(host, {
          name: `${host}:${s.listenPort}`,
          domains: [host],
          routes: [],
          require_tls: 'ALL',
        });
  const virtual_hosts = [...vhosts.values()];
  const port = servers[0]!.listenPort;
  // Istio answers 404 on a gateway port no VirtualService routes.
  if (virtual_hosts.length === 0)
    virtual_hosts.push({ name: `blackhole:${port}`, domains: ['*'], routes: [] });
  // As Istio: a port in the Host is ignored (the listener chose the port) rather than listing `host:*`.
  return { name, virtual_hosts, validate_clusters: { value: false }, ignore_port_in_host_matching: true };
}
