// Gateway servers as a router proxy sees them (Istio MergeGateways): grouped by the port the proxy
// listens on (the gateway Service's targetPort for the server port, like Istio), with route names
// `http.<port>` for plain HTTP and `https.<port>.<portName>.<gateway>.<namespace>` for terminated HTTPS.
import type { ProxyInfo } from '../../contracts.js';
import type { GatewayConfig, PushContext } from '../../push-context.js';
import type { GatewayServer } from '../../../registry/specs.js';

export type ServerKind = 'http' | 'https' | 'passthrough' | 'auto-passthrough' | 'tls-terminated' | 'tcp';

export interface GatewayServerInfo {
  gateway: GatewayConfig;
  /** `namespace/name`, as VirtualService gateways name it */
  gatewayName: string;
  server: GatewayServer;
  listenPort: number;
  kind: ServerKind;
  /** RDS name for HTTP kinds */
  routeName?: string;
}

function kindOf(s: GatewayServer): ServerKind {
  const protocol = s.port.protocol.toUpperCase();
  const mode = s.tls?.mode;
  if (protocol === 'HTTP' || protocol === 'HTTP2' || protocol === 'GRPC' || protocol === 'GRPC-WEB')
    return 'http';
  if ((protocol === 'HTTPS' || protocol === 'TLS') && mode === 'AUTO_PASSTHROUGH') return 'auto-passthrough';
  if (protocol === 'HTTPS') return mode === 'PASSTHROUGH' ? 'passthrough' : 'https';
  if (protocol === 'TLS') return mode === 'PASSTHROUGH' || !mode ? 'passthrough' : 'tls-terminated';
  return 'tcp';
}

/** The port the gateway workload listens on for a server port: its Service's targetPort when one maps it. */
function listenPortFor(proxy: ProxyInfo, push: PushContext, port: number): number {
  const inst = push.instancesFor(proxy).find((i) => i.port.port === port);
  return inst?.endpoint.port ?? port;
}

export function gatewayServers(proxy: ProxyInfo, push: PushContext): GatewayServerInfo[] {
  return push.gatewaysFor(proxy).flatMap((gateway) =>
    (gateway.spec.servers ?? []).map((server) => {
      const listenPort = listenPortFor(proxy, push, server.port.number);
      const kind = kindOf(server);
      const gatewayName = `${gateway.namespace}/${gateway.name}`;
      const routeName =
        kind === 'http'
          ? `http.${listenPort}`
          : kind === 'https'
            ? `https.${listenPort}.${server.port.name ?? server.port.number}.${gateway.name}.${gateway.namespace}`
            : undefined;
      return { gateway, gatewayName, server, listenPort, kind, ...(routeName ? { routeName } : {}) };
    }),
  );
}

/** `ns/host` → { namespace, host }; a bare host means any namespace. */
export function splitServerHost(h: string): { namespace: string; host: string } {
  const i = h.indexOf('/');
  return i < 0 ? { namespace: '*', host: h } : { namespace: h.slice(0, i), host: h.slice(i + 1) };
}

/** SNI names for a server's filter chain; none when any host is `*`. */
export function serverNames(s: GatewayServer): string[] {
  const hosts = s.hosts.map((h) => splitServerHost(h).host);
  return hosts.includes('*') ? [] : hosts;
}

/** Whether any server is AUTO_PASSTHROUGH (the gateway then needs SNI-DNAT clusters). */
export function hasAutoPassthrough(proxy: ProxyInfo, push: PushContext): boolean {
  return gatewayServers(proxy, push).some((s) => s.kind === 'auto-passthrough');
}
