// A sidecar's outbound listeners (Istio buildSidecarOutboundListeners): `0.0.0.0_<port>` with RDS
// route "<port>" for HTTP ports; `<vip>_<port>` (or 0.0.0.0_<port> without a VIP) with tcp_proxy for
// TCP/TLS ports. None binds: virtualOutbound hands connections over by original destination.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { isHttpProtocol, type Service, type ServicePort } from '../../../registry/model.js';
import { clusterName } from '../common.js';
import { virtualServiceFor } from '../route/sidecar-routes.js';
import type { RouteScope } from '../route/match.js';
import { l4FilterChains } from './l4-routes.js';
import { httpConnectionManager, listenerFilter, notBound, tcpProxy } from './network-filters.js';

function socket(address: string, port: number): object {
  return { socket_address: { address, port_value: port } };
}

export function outboundListeners(proxy: ProxyInfo, push: PushContext): object[] {
  const listeners = new Map<string, object>();
  const services = push.servicesFor(proxy);
  const vss = push.virtualServicesFor(proxy, ['mesh']);
  for (const service of services)
    for (const port of service.ports) {
      if (port.protocol === 'UDP') continue;
      if (isHttpProtocol(port.protocol)) {
        const name = `0.0.0.0_${port.port}`;
        if (!listeners.has(name)) listeners.set(name, httpListener(push, port.port));
        continue;
      }
      const address = service.addresses[0] ?? '0.0.0.0';
      const name = `${address}_${port.port}`;
      if (listeners.has(name)) continue;
      const scope: RouteScope = { proxy, port: port.port, gateways: ['mesh'] };
      listeners.set(
        name,
        tcpListener(
          push,
          service,
          port,
          address,
          l4FilterChains(
            push,
            virtualServiceFor(service.hostname, vss),
            scope,
            `outbound|${port.port}||${service.hostname}`,
          ),
        ),
      );
    }
  return [...listeners.values()];
}

function httpListener(push: PushContext, port: number): object {
  return {
    name: `0.0.0.0_${port}`,
    address: socket('0.0.0.0', port),
    traffic_direction: 'OUTBOUND',
    ...notBound,
    filter_chains: [
      {
        filters: [
          httpConnectionManager(push, {
            statPrefix: `outbound_0.0.0.0_${port}`,
            rds: String(port),
          }),
        ],
      },
    ],
  };
}

function tcpListener(
  push: PushContext,
  service: Service,
  port: ServicePort,
  address: string,
  routeChains: object[],
): object {
  const cluster = clusterName('outbound', port.port, '', service.hostname);
  const hasDefault = routeChains.some((c) => !(c as { filter_chain_match?: object }).filter_chain_match);
  const chains = hasDefault ? routeChains : [...routeChains, { filters: [tcpProxy(push, cluster, cluster)] }];
  const sni = chains.some(
    (c) => (c as { filter_chain_match?: { server_names?: string[] } }).filter_chain_match?.server_names,
  );
  return {
    name: `${address}_${port.port}`,
    address: socket(address, port.port),
    traffic_direction: 'OUTBOUND',
    ...notBound,
    ...(sni ? { listener_filters: [listenerFilter('tlsInspector')] } : {}),
    filter_chains: chains,
  };
}
