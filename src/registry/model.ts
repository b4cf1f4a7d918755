// Pilot's service model (pilot/pkg/model/service.go): services, ports with protocols, endpoints,
// and the ServiceDiscovery interface every registry (ServiceEntry, local, aggregate) implements.

/** Istio protocols (pilot/pkg/model protocol names). Unnamed or unknown ports are TCP. */
export type Protocol =
  'HTTP' | 'HTTP2' | 'HTTPS' | 'GRPC' | 'GRPC-Web' | 'TLS' | 'TCP' | 'Mongo' | 'MySQL' | 'Redis' | 'UDP';

const PROTOCOLS: Record<string, Protocol> = {
  http: 'HTTP',
  http2: 'HTTP2',
  https: 'HTTPS',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  tls: 'TLS',
  tcp: 'TCP',
  mongo: 'Mongo',
  mysql: 'MySQL',
  redis: 'Redis',
  udp: 'UDP',
};

/** A protocol name as written in ServiceEntry ports or appProtocol (case-insensitive). */
export function parseProtocol(name: string | undefined): Protocol | undefined {
  return name === undefined ? undefined : PROTOCOLS[name.toLowerCase()];
}

/**
 * Kubernetes Service port protocol: appProtocol wins, else the port name's prefix
 * (`http`, `http-web`, `grpc-api`…); UDP stays UDP; anything else is TCP.
 */
export function protocolFromPort(name: string | undefined, appProtocol?: string, l4?: string): Protocol {
  if (l4?.toUpperCase() === 'UDP') return 'UDP';
  const fromApp = parseProtocol(appProtocol);
  if (fromApp) return fromApp;
  const prefix = name?.split('-')[0];
  const p = parseProtocol(prefix);
  return p && p !== 'UDP' ? p : 'TCP';
}

/** Protocols terminated by the HTTP connection manager. */
export function isHttpProtocol(p: Protocol): boolean {
  return p === 'HTTP' || p === 'HTTP2' || p === 'GRPC' || p === 'GRPC-Web';
}

/** Protocols that need HTTP/2 to the upstream. */
export function isHttp2Protocol(p: Protocol): boolean {
  return p === 'HTTP2' || p === 'GRPC';
}

export interface ServicePort {
  name: string;
  port: number;
  protocol: Protocol;
  /** Kubernetes targetPort or ServiceEntry targetPort, when numeric. */
  targetPort?: number;
}

/** How callers reach a service's endpoints (Istio Resolution). */
export type Resolution = 'ClientSideLB' | 'DNS' | 'DNSRoundRobin' | 'Passthrough';

export interface Service {
  /** FQDN (or ServiceEntry host, possibly a wildcard like *.example.com). */
  hostname: string;
  /** The Kubernetes name or ServiceEntry name the service came from. */
  name: string;
  namespace: string;
  /** VIPs; empty for headless services and ServiceEntries without addresses. */
  addresses: string[];
  ports: ServicePort[];
  labels: Record<string, string>;
  /** '*' (mesh), '.' (own namespace) or namespace names. Empty means the mesh default. */
  exportTo: string[];
  resolution: Resolution;
  meshExternal: boolean;
  /** SPIFFE identities allowed to serve the service (ServiceEntry subjectAltNames, pods' SAs). */
  serviceAccounts: string[];
  /** Which registry produced it (for /debug/registryz and precedence). */
  registry: string;
  /** Ordering tie-breaker, like Istio's CreationTime. */
  creationTime?: number;
}

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING';

/** One address:port serving one port of one service (Istio's IstioEndpoint). */
export interface Endpoint {
  address: string;
  port: number;
  /** The service port name this endpoint serves. */
  servicePortName: string;
  labels: Record<string, string>;
  serviceAccount?: string;
  /** region/zone/subzone */
  locality?: string;
  network?: string;
  weight?: number;
  health: HealthStatus;
  /** Pod or WorkloadEntry name, for debugging. */
  workload?: string;
}

/** full: services or config changed (CDS/LDS/RDS may change); endpoints: EDS only. */
export interface RegistryChange {
  kind: 'full' | 'endpoints';
  hosts: string[];
  reason: string;
}

export type RegistryHandler = (change: RegistryChange) => void;

export interface ServiceDiscovery {
  services(): Service[];
  service(hostname: string): Service | undefined;
  /** Endpoints of a service port (by port number), healthy or not. */
  endpoints(hostname: string, port: number): Endpoint[];
  /** Returns an unsubscribe function. */
  subscribe(handler: RegistryHandler): () => void;
}

/** Label selector semantics: every selector key present with the same value. */
export function labelsMatch(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

/** Fan-out of change notifications, shared by the registries. */
export class Subscribers {
  private readonly handlers = new Set<RegistryHandler>();

  add(h: RegistryHandler): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  notify(change: RegistryChange): void {
    for (const h of this.handlers) h(change);
  }
}

/** The label Istio's injector puts on pods with a sidecar; auto mTLS keys on it. */
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
