// A sidecar's outbound listeners (Istio buildSidecarOutboundListeners): `0.0.0.0_<port>` with RDS
// route "<port>" for HTTP ports; `<vip>_<port>` (or 0.0.0.0_<port> without a VIP) with tcp_proxy for
// TCP/TLS ports. None binds: virtualOutbound hands connections over by original destination.
// Sidecar egress listeners narrow this: one with a port owns that port (its protocol, its hosts);
// `bind` sets the address, and captureMode NONE binds a real socket (127.0.0.1 unless bound
// elsewhere) for apps that call the proxy directly; the port-less listener serves every other port.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { isHttpProtocol, parseProtocol, type Service, type ServicePort } from '../../../registry/model.js';
import type { IstioEgressListener } from '../../../registry/specs.js';
import { clusterName } from '../common.js';
import { virtualServiceFor } from '../route/sidecar-routes.js';
import type { RouteScope } from '../route/match.js';
import { l4FilterChains } from './l4-routes.js';
import { httpConnectionManager, listenerFilter, notBound, tcpFilters } from './network-filters.js';

function socket(address: string, port: number): object {
  return { socket_address: { address, port_value: port } };
}

/** Where an egress listener's sockets live. */
interface Binding {
  /** Fixed address (bind, or loopback for captureMode NONE); undefined: 0.0.0.0 or the service VIP. */
  address?: string;
  bindToPort: boolean;
}

function bindingOf(l: IstioEgressListener | undefined): Binding {
  const bindToPort = l?.captureMode === 'NONE';
  const address = l?.bind ?? (bindToPort ? '127.0.0.1' : undefined);
  return { bindToPort, ...(address ? { address } : {}) };
}

/** The outbound listeners to build, by name: HTTP ones by port, TCP ones by service port. */
type Planned =
  | { kind: 'http'; address: string; port: number; bindToPort: boolean }
  | { kind: 'tcp'; address: string; service: Service; port: ServicePort; bindToPort: boolean };

function plan(proxy: ProxyInfo, push: PushContext): Map<string, Planned> {
  const out = new Map<string, Planned>();
  const add = (b: Binding, services: readonly Service[], port: number, http: boolean): void => {
    if (http) {
      const address = b.address ?? '0.0.0.0';
      if (!out.has(`${address}_${port}`))
        out.set(`${address}_${port}`, { kind: 'http', address, port, bindToPort: b.bindToPort });
      return;
    }
    for (const service of services) {
      const servicePort = service.ports.find((p) => p.port === port);
      const address = b.address ?? service.addresses[0] ?? '0.0.0.0';
      if (servicePort && !out.has(`${address}_${port}`))
        out.set(`${address}_${port}`, {
          kind: 'tcp',
          address,
          service,
          port: servicePort,
          bindToPort: b.bindToPort,
        });
    }
  };
  const egress = push.sidecarFor(proxy)?.spec.egress;
  const owned = new Set<number>();
  for (const l of egress ?? []) {
    if (!l.port) continue;
    owned.add(l.port.number);
    const services = push.servicesFor(proxy, l).filter((s) => s.ports.some((p) => p.port === l.port!.number));
    add(bindingOf(l), services, l.port.number, isHttpProtocol(parseProtocol(l.port.protocol) ?? 'TCP'));
  }
  const catchAll = egress?.find((l) => !l.port);
  if (egress && !catchAll) return out;
  for (const service of push.servicesFor(proxy, catchAll))
    for (const port of service.ports)
      if (port.protocol !== 'UDP' && !owned.has(port.port))
        add(bindingOf(catchAll), [service], port.port, isHttpProtocol(port.protocol));
  return out;
}

/** The ports of the proxy's HTTP outbound listeners, which name their RDS route configurations. */
export function outboundHttpPorts(proxy: ProxyInfo, push: PushContext): number[] {
  return [...new Set([...plan(proxy, push).values()].flatMap((p) => (p.kind === 'http' ? [p.port] : [])))];
}

export function outboundListeners(proxy: ProxyInfo, push: PushContext): object[] {
  const vss = push.virtualServicesFor(proxy, ['mesh']);
  return [...plan(proxy, push).values()].map((p) => {
    if (p.kind === 'http') return httpListener(push, p.address, p.port, p.bindToPort);
    const scope: RouteScope = { proxy, port: p.port.port, gateways: ['mesh'] };
    const stat = clusterName('outbound', p.port.port, '', p.service.hostname);
    const routeChains = l4FilterChains(
      push,
      virtualServiceFor(p.service.hostname, vss),
      scope,
      stat,
      'sidecar-outbound',
    );
    return tcpListener(push, p.service, p.port, p.address, p.bindToPort, routeChains);
  });
}

function httpListener(push: PushContext, address: string, port: number, bindToPort: boolean): object {
  return {
    name: `${address}_${port}`,
    address: socket(address, port),
    traffic_direction: 'OUTBOUND',
    ...(bindToPort ? {} : notBound),
    filter_chains: [
      {
        filters: [
          httpConnectionManager(push, { statPrefix: `outbound_${address}_${port}`, rds: String(port) }),
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
  bindToPort: boolean,
  routeChains: object[],
): object {
  const cluster = clusterName('outbound', port.port, '', service.hostname);
  const hasDefault = routeChains.some((c) => !(c as { filter_chain_match?: object }).filter_chain_match);
  const chains = hasDefault
    ? routeChains
    : [...routeChains, { filters: tcpFilters(push, cluster, cluster, 'sidecar-outbound') }];
  const sni = chains.some(
    (c) => (c as { filter_chain_match?: { server_names?: string[] } }).filter_chain_match?.server_names,
  );
  return {
    name: `${address}_${port.port}`,
    address: socket(address, port.port),
    traffic_direction: 'OUTBOUND',
    ...(bindToPort ? {} : notBound),
    ...(sni ? { listener_filters: [listenerFilter('tlsInspector')] } : {}),
    filter_chains: chains,
  };
}
