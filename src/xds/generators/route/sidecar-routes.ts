// A sidecar's outbound route configuration for one port (Istio buildSidecarOutboundHTTPRouteConfig):
// a virtual host per visible HTTP service and VirtualService host, then the allow_any or block_all
// catch-all per outboundTrafficPolicy.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext, VirtualServiceConfig } from '../../push-context.js';
import { isHttpProtocol, type Service } from '../../../registry/model.js';
import { hostMatches, mostSpecificMatch } from '../../../registry/host.js';
import { PASSTHROUGH_CLUSTER } from '../common.js';
import { serviceDomains } from './domains.js';
import { outboundHttpPorts } from '../listener/outbound.js';
import { defaultRoute, translateVirtualService, type TranslateOptions } from './translate.js';
import type { RouteScope } from './match.js';

/** The VirtualService bound to a host, the most specific host pattern winning. */
export function virtualServiceFor(
  host: string,
  list: readonly VirtualServiceConfig[],
): VirtualServiceConfig | undefined {
  const best = mostSpecificMatch(
    host,
    list.flatMap((v) => v.hosts),
  );
  return best === undefined ? undefined : list.find((v) => v.hosts.includes(best));
}

/** The virtual host for one service on one port (shared by sidecars and proxyless clients). */
export function serviceVirtualHost(
  push: PushContext,
  scope: RouteScope,
  service: Service,
  vss: readonly VirtualServiceConfig[],
  opts: TranslateOptions = {},
): Record<string, unknown> {
  const vs = virtualServiceFor(service.hostname, vss);
  const translated = vs ? translateVirtualService(vs, scope, push, opts) : [];
  return {
    name: `${service.hostname}:${scope.port}`,
    domains: serviceDomains(
      service,
      opts.proxyless ? scope.port : undefined,
      scope.proxy.namespace,
      push.domainSuffix,
    ),
    routes: translated.length > 0 ? translated : [defaultRoute(push, scope, service.hostname, scope.port)],
    include_request_attempt_count: true,
  };
}

/** Route names a sidecar's HTTP listeners use: one per HTTP port (outbound.ts decides which). */
export function sidecarRouteNames(proxy: ProxyInfo, push: PushContext): string[] {
  return outboundHttpPorts(proxy, push).map(String);
}

export function sidecarRouteConfig(proxy: ProxyInfo, push: PushContext, port: number): object {
  const scope: RouteScope = { proxy, port, gateways: ['mesh'] };
  const vss = push.virtualServicesFor(proxy, ['mesh']);
  const used = new Set<string>();
  const vhosts: Record<string, unknown>[] = [];
  const add = (vh: Record<string, unknown>): void => {
    const domains = (vh.domains as string[]).filter((d) => !used.has(d));
    if (domains.length === 0) return;
    domains.forEach((d) => used.add(d));
    vhosts.push({ ...vh, domains });
  };
  // A Sidecar egress listener declaring this port serves its own hosts, whatever their protocol.
  const listener = push.egressListenerFor(proxy, port);
  const services = push
    .servicesFor(proxy, listener)
    .filter((s) => s.ports.some((p) => p.port === port && (listener?.port || isHttpProtocol(p.protocol))));
  for (const s of services) add(serviceVirtualHost(push, scope, s, vss));
  // VirtualService hosts that name no service still route (e.g. to a subset of another host).
  for (const vs of vss)
    for (const host of vs.hosts) {
      // Hosts of services this proxy cannot see (or that lack this port) get no virtual host.
      if (host === '*' || push.service(host) || services.some((s) => hostMatches(host, s.hostname))) continue;
      if (!vsUsesPort(vs, port)) continue;
      const routes = translateVirtualService(vs, scope, push);
      if (routes.length > 0)
        add({
          name: `${host}:${port}`,
          domains: [host],
          routes,
          include_request_attempt_count: true,
        });
    }
  add(catchAll(push.outboundTrafficMode(proxy)));
  // The listener already chose the port, so a port in the Host (`svc:80`, `svc:9999`) is ignored.
  return {
    name: String(port),
    virtual_hosts: vhosts,
    validate_clusters: { value: false },
    ignore_port_in_host_matching: true,
  };
}

/** Hosts without a service: their routes land on the ports their matches name, else port 80. */
function vsUsesPort(vs: VirtualServiceConfig, port: number): boolean {
  const ports = (vs.spec.http ?? []).flatMap((h) => (h.match ?? []).flatMap((m) => (m.port ? [m.port] : [])));
  return ports.length > 0 ? ports.includes(port) : port === 80;
}

function catchAll(mode: 'ALLOW_ANY' | 'REGISTRY_ONLY'): Record<string, unknown> {
  if (mode === 'ALLOW_ANY')
    return {
      name: 'allow_any',
      domains: ['*'],
      routes: [
        {
          name: 'allow_any',
          match: { prefix: '/' },
          route: { cluster: PASSTHROUGH_CLUSTER, timeout: { seconds: 0, nanos: 0 } },
        },
      ],
      include_request_attempt_count: true,
    };
  return {
    name: 'block_all',
    domains: ['*'],
    routes: [{ name: 'block_all', match: { prefix: '/' }, direct_response: { status: 502 } }],
    include_request_attempt_count: true,
  };
}
