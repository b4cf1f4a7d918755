// Proxyless gRPC route configuration `<fqdn>:<port>`: the service's virtual host with the same
// VirtualService translation sidecars get (weights, header matches, fault, retries, hash policy).
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { serviceVirtualHost } from '../route/sidecar-routes.js';
import { resolveGrpcTarget } from './listeners.js';

export function grpcRouteConfig(proxy: ProxyInfo, push: PushContext, name: string): object | undefined {
  const t = resolveGrpcTarget(proxy, push, name);
  if (!t) return undefined;
  const scope = { proxy, port: t.port, gateways: ['mesh'] };
  const vhost = serviceVirtualHost(push, scope, t.service, push.virtualServicesFor(proxy, ['mesh']), {
    proxyless: true,
  });
  // One virtual host per route configuration: the client's dial authority always selects it.
  return { name, virtual_hosts: [{ ...vhost, domains: [...(vhost.domains as string[]), '*'] }] };
}
