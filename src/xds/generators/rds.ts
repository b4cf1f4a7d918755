// RDS (Istio pilot/pkg/xds/rds.go + BuildHTTPRoutes): route configurations by name — "<port>" for
// sidecars, `http.<port>` / `https.<port>.<portName>.<gw>.<ns>` for gateways, `<fqdn>:<port>` for proxyless gRPC.
import type { Generator, ProxyInfo, XdsResource } from '../contracts.js';
import type { PushContext } from '../push-context.js';
import { TypeUrl } from '../type-urls.js';
import { affectsNonSecretTypes } from './push-filter.js';
import { grpcListenerNames, resolveGrpcTarget } from './grpc/listeners.js';
import { gatewayRouteConfig, gatewayRouteNames } from './gateway/routes.js';
import { grpcRouteConfig } from './grpc/routes.js';
import { sidecarRouteConfig, sidecarRouteNames } from './route/sidecar-routes.js';

/** The route names the proxy's listeners refer to (what a wildcard RDS request means). */
export function routeNames(proxy: ProxyInfo, push: PushContext): string[] {
  if (proxy.proxyless)
    return grpcListenerNames(proxy, push).flatMap((n) => resolveGrpcTarget(proxy, push, n)?.routeName ?? []);
  if (proxy.type === 'router') return gatewayRouteNames(proxy, push);
  return sidecarRouteNames(proxy, push);
}

export function buildRouteConfig(proxy: ProxyInfo, push: PushContext, name: string): object | undefined {
  // Only proxyless gRPC route names carry a colon (`<fqdn>:<port>`).
  if (proxy.proxyless || name.includes(':')) return grpcRouteConfig(proxy, push, name);
  if (proxy.type === 'router') return gatewayRouteConfig(proxy, push, name);
  return /^\d+$/.test(name) ? sidecarRouteConfig(proxy, push, Number(name)) : undefined;
}

export const rds: Generator<PushContext> = {
  typeUrl: TypeUrl.RouteConfiguration,
  generate({ proxy, push, names }): XdsResource[] {
    return (names ?? routeNames(proxy, push)).flatMap((name) => {
      const rc = buildRouteConfig(proxy, push, name);
      return rc ? [{ name, resource: rc }] : [];
    });
  },
  needsPush: (_proxy, update) => affectsNonSecretTypes(update),
};
