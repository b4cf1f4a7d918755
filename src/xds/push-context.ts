// Pilot's PushContext (pilot/pkg/model/push_context.go): an immutable snapshot of services,
// endpoints and networking config, indexed once per full push for the generators to query.
import type { ConfigStoreReader, StoredConfig } from '../config/store-types.js';
import type { ProxyInfo } from './contracts.js';
import {
  bySpecificity,
  DEFAULT_DOMAIN_SUFFIX,
  hostMatches,
  hostsIntersect,
  resolveHost,
} from '../registry/host.js';
import {
  labelsMatch,
  type Endpoint,
  type Service,
  type ServiceDiscovery,
  type ServicePort,
} from '../registry/model.js';
import type {
  Destination,
  DestinationRuleSpec,
  GatewaySpec,
  HTTPMatchRequest,
  HTTPRoute,
  IstioEgressListener,
  SidecarSpec,
  Subset,
  VirtualServiceSpec,
} from '../registry/specs.js';
import { credentialCacheFor, type Credential } from '../registry/credentials.js';
import type { Diagnostic } from '../config/diagnostics.js';
import type { JwksFetchMode } from '../security/index.js';
import { resolveMeshConfig, type MeshConfig, type MeshConfigInput } from './generators/mesh.js';
import { collectSecurityPolicies, type SecurityPolicies } from './generators/security/policies.js';

const NETWORKING = 'networking.istio.io';

export interface ConfigMeta {
  name: string;
  namespace: string;
}

/** A VirtualService with hosts, gateways and destinations resolved to FQDNs and delegates inlined. */
export interface VirtualServiceConfig extends ConfigMeta {
  hosts: string[];
  /** 'mesh' or `namespace/name` */
  gateways: string[];
  spec: VirtualServiceSpec;
}

export interface DestinationRuleConfig extends ConfigMeta {
  host: string;
  spec: DestinationRuleSpec;
}

export interface GatewayConfig extends ConfigMeta {
  spec: GatewaySpec;
}

export interface SidecarConfig extends ConfigMeta {
  spec: SidecarSpec;
}

/** A service port this proxy's workload serves (Istio ServiceInstance). */
export interface ServiceInstance {
  service: Service;
  port: ServicePort;
  endpoint: Endpoint;
}

export interface PushContextInput {
  store: ConfigStoreReader;
  registry: ServiceDiscovery;
  /** The user's mesh config (Istio field names); Istio's defaults fill the rest. */
  mesh?: Partial<MeshConfigInput>;
  /** Defaults to `<RFC3339 time>/<counter>` like Pilot. */
  version?: string;
  domainSuffix?: string;
  jwks?: JwksSettings;
  /** Namespaces whose destinations have Mixer CHECK rules ('*': all), from the policy engine. */
  policyScope?: ReadonlySet<string>;
}

/** How RequestAuthentication JWKS reach the proxy (Istio PILOT_JWT_ENABLE_REMOTE_JWKS). */
export interface JwksSettings {
  /**
   * Default `hybrid`: the proxy fetches JWKS from servers in the registry, the control plane (through
   * `resolve`) the rest; without `resolve` those fail closed.
   */
  mode?: JwksFetchMode;
  /** The JWKS document the control plane fetched for a URI, if it has one. */
  resolve?: (jwksUri: string, issuer: string) => string | undefined;
}

let pushCounter = 0;

/** Builds the snapshot for one full push. */
export function buildPushContext(input: PushContextInput): PushContext {
  const mesh = resolveMeshConfig(input.mesh);
  const domainSuffix = input.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
  const version = input.version ?? `${new Date().toISOString()}/${++pushCounter}`;
  const list = (kind: string, group = NETWORKING): StoredConfig[] =>
    input.store.list({ group, kind }).sort((a, b) => created(a) - created(b) || key(a).localeCompare(key(b)));
  const credentials = credentialCacheFor(input.store);
  const configs: ConfigSet = {
    virtualServices: resolveVirtualServices(list('VirtualService'), domainSuffix),
    destinationRules: list('DestinationRule').map((c) => {
      const m = meta(c);
      const spec = c.resource.spec as DestinationRuleSpec;
      return { ...m, host: resolveHost(spec.host, m.namespace, domainSuffix), spec };
    }),
    gateways: list('Gateway').map((c) => ({ ...meta(c), spec: c.resource.spec as GatewaySpec })),
    sidecars: list('Sidecar').map((c) => ({ ...meta(c), spec: c.resource.spec as SidecarSpec })),
    envoyFilters: list('EnvoyFilter'),
    security: collectSecurityPolicies((group, kind) => list(kind, group), mesh.rootNamespace),
    credentials: credentials.snapshot(),
    credentialDiagnostics: credentials.diagnostics(),
    jwks: input.jwks ?? {},
    policyScope: input.policyScope ?? new Set(),
  };
  return new PushContext(version, mesh, domainSuffix, input.registry, configs);
}

interface ConfigSet {
  virtualServices: VirtualServiceConfig[];
  destinationRules: DestinationRuleConfig[];
  gateways: GatewayConfig[];
  sidecars: SidecarConfig[];
  envoyFilters: StoredConfig[];
  security: SecurityPolicies;
  /** Gateway credentials (Kubernetes Secrets) by `namespace/name`, last good versions. */
  credentials: ReadonlyMap<string, Credential>;
  credentialDiagnostics: Diagnostic[];
  jwks: JwksSettings;
  policyScope: ReadonlySet<string>;
}

export class PushContext {
  readonly services: readonly Service[];
  private readonly byHost = new Map<string, Service>();
  private readonly endpointIndex = new Map<string, Endpoint[]>();
  private readonly visibleCache = new Map<string, Service[]>();
  private readonly instancesByIp = new Map<string, ServiceInstance[]>();

  constructor(
    readonly version: string,
    readonly mesh: MeshConfig,
    readonly domainSuffix: string,
    registry: ServiceDiscovery,
    private readonly configs: ConfigSet,
  ) {
    this.services = registry
      .services()
      .sort((a, b) => (a.creationTime ?? 0) - (b.creationTime ?? 0) || a.hostname.localeCompare(b.hostname));
    for (const s of this.services) {
      this.byHost.set(s.hostname, s);
      for (const port of s.ports) {
        const endpoints = registry.endpoints(s.hostname, port.port);
        this.endpointIndex.set(`${s.hostname}|${port.port}`, endpoints);
        for (const endpoint of endpoints) {
          const list = this.instancesByIp.get(endpoint.address) ?? [];
          list.push({ service: s, port, endpoint });
          this.instancesByIp.set(endpoint.address, list);
        }
      }
    }
  }

  /** A context with the same config and fresh endpoints, for EDS-only pushes. */
  withEndpoints(registry: ServiceDiscovery, version: string): PushContext {
    return new PushContext(version, this.mesh, this.domainSuffix, registry, this.configs);
  }

  get envoyFilters(): readonly StoredConfig[] {
    return this.configs.envoyFilters;
  }

  get gateways(): readonly GatewayConfig[] {
    return this.configs.gateways;
  }

  get security(): SecurityPolicies {
    return this.configs.security;
  }

  get jwks(): JwksSettings {
    return this.configs.jwks;
  }

  get policyScope(): ReadonlySet<string> {
    return this.configs.policyScope;
  }

  /** A Kubernetes Secret's certificate and CA as last validated, for gateway SDS. */
  credential(namespace: string, name: string): Credential | undefined {
    return this.configs.credentials.get(`${namespace}/${name}`);
  }

  /** Secrets that failed validation in this push (each also logged once when it changed). */
  get credentialDiagnostics(): readonly Diagnostic[] {
    return this.configs.credentialDiagnostics;
  }

  service(hostname: string): Service | undefined {
    return this.byHost.get(hostname);
  }

  endpoints(hostname: string, port: number): readonly Endpoint[] {
    return this.endpointIndex.get(`${hostname}|${port}`) ?? [];
  }

  /** The Sidecar resource scoping this proxy: workload-selected, namespace-wide, else root namespace. */
  sidecarFor(proxy: ProxyInfo): SidecarConfig | undefined {
    if (proxy.type === 'router') return undefined; // Sidecar resources never scope gateways
    const inNs = this.configs.sidecars.filter((s) => s.namespace === proxy.namespace);
    return (
      inNs.find(
        (s) => s.spec.workloadSelector?.labels && labelsMatch(s.spec.workloadSelector.labels, proxy.labels),
      ) ??
      inNs.find((s) => !s.spec.workloadSelector?.labels) ??
      this.configs.sidecars.find(
        (s) => s.namespace === this.mesh.rootNamespace && !s.spec.workloadSelector?.labels,
      )
    );
  }

  /** ALLOW_ANY or REGISTRY_ONLY for this proxy (Sidecar overrides the mesh). */
  outboundTrafficMode(proxy: ProxyInfo): 'ALLOW_ANY' | 'REGISTRY_ONLY' {
    return this.sidecarFor(proxy)?.spec.outboundTrafficPolicy?.mode ?? this.mesh.outboundTrafficPolicy.mode;
  }

  /**
   * Services this proxy may call: exportTo, then the Sidecar's egress hosts — of one egress listener
   * when given (what its port serves), else of them all (what the proxy has clusters for).
   */
  servicesFor(proxy: ProxyInfo, listener?: IstioEgressListener): Service[] {
    const sidecar = this.sidecarFor(proxy);
    const listeners = sidecar?.spec.egress;
    const index = listener && listeners ? listeners.indexOf(listener) : -1;
    const cacheKey = `${proxy.namespace}|${sidecar ? `${sidecar.namespace}/${sidecar.name}` : ''}|${index}`;
    const hit = this.visibleCache.get(cacheKey);
    if (hit) return hit;
    const egress = index >= 0 ? listener!.hosts : listeners?.flatMap((e) => e.hosts);
    const out = this.services.filter(
      (s) =>
        exported(
          s.exportTo.length > 0 ? s.exportTo : this.mesh.defaultServiceExportTo,
          s.namespace,
          proxy.namespace,
        ) &&
        (!egress || egress.some((h) => egressHostMatches(h, s.namespace, s.hostname, proxy.namespace))),
    );
    this.visibleCache.set(cacheKey, out);
    return out;
  }

  /**
   * The Sidecar egress listener that serves a port: the one declaring it, else the catch-all (no
   * port); undefined without a Sidecar (everything visible) or when no listener serves the port.
   */
  egressListenerFor(proxy: ProxyInfo, port: number): IstioEgressListener | undefined {
    const egress = this.sidecarFor(proxy)?.spec.egress;
    return egress?.find((l) => l.port?.number === port) ?? egress?.find((l) => !l.port);
  }

  /** VirtualServices visible to the proxy and bound to one of `gateways` ('mesh' for sidecars). */
  virtualServicesFor(proxy: ProxyInfo, gateways: readonly string[]): VirtualServiceConfig[] {
    const egress = this.sidecarFor(proxy)?.spec.egress?.flatMap((e) => e.hosts);
    const visible = this.configs.virtualServices.filter(
      (vs) =>
        vs.hosts.length > 0 &&
        vs.gateways.some((g) => gateways.includes(g)) &&
        exported(
          vs.spec.exportTo ?? this.mesh.defaultVirtualServiceExportTo,
          vs.namespace,
          proxy.namespace,
        ) &&
        (!egress ||
          vs.hosts.some((h) => egress.some((e) => egressHostMatches(e, vs.namespace, h, proxy.namespace)))),
    );
    // Istio prefers the proxy's own namespace when two VirtualServices claim a host.
    return [
      ...visible.filter((v) => v.namespace === proxy.namespace),
      ...visible.filter((v) => v.namespace !== proxy.namespace),
    ];
  }

  /**
   * The DestinationRule for a host as seen from the proxy's namespace: the proxy namespace first,
   * then the service's namespace, then the root namespace; the most specific host wins in each;
   * rules for the same host in one namespace merge (subsets appended, first traffic policy kept).
   */
  destinationRule(proxy: ProxyInfo, hostname: string): DestinationRuleConfig | undefined {
    const svcNs = this.byHost.get(hostname)?.namespace;
    const candidates = this.configs.destinationRules.filter(
      (dr) =>
        hostMatches(dr.host, hostname) &&
        (!dr.spec.workloadSelector?.matchLabels ||
          (dr.namespace === proxy.namespace &&
            labelsMatch(dr.spec.workloadSelector.matchLabels, proxy.labels))) &&
        (dr.namespace === proxy.namespace ||
          exported(
            dr.spec.exportTo ?? this.mesh.defaultDestinationRuleExportTo,
            dr.namespace,
            proxy.namespace,
          )),
    );
    const order = [proxy.namespace, svcNs, this.mesh.rootNamespace];
    for (const ns of order) {
      const inNs = candidates.filter((d) => d.namespace === ns);
      if (inNs.length > 0) return mergeRules(inNs);
    }
    return candidates.length > 0 ? mergeRules(candidates) : undefined;
  }

  /** Gateways whose selector matches this proxy's labels (router proxies). */
  gatewaysFor(proxy: ProxyInfo): GatewayConfig[] {
    return this.configs.gateways.filter((g) => g.spec.selector && labelsMatch(g.spec.selector, proxy.labels));
  }

  /** Service ports served by the workload at the proxy's IPs. */
  instancesFor(proxy: Pick<ProxyInfo, 'ipAddresses'>): ServiceInstance[] {
    return proxy.ipAddresses.flatMap((ip) => this.instancesByIp.get(ip) ?? []);
  }
}

function exported(exportTo: readonly string[], ownNs: string, proxyNs: string): boolean {
  return exportTo.some((e) => e === '*' || (e === '.' && ownNs === proxyNs) || e === proxyNs);
}

/** A Sidecar egress `namespace/host` entry against a config's namespace and host. */
function egressHostMatches(entry: string, namespace: string, hostname: string, proxyNs: string): boolean {
  const slash = entry.indexOf('/');
  const ns = slash >= 0 ? entry.slice(0, slash) : '*';
  const host = slash >= 0 ? entry.slice(slash + 1) : entry;
  if (ns === '~') return false;
  const nsOk = ns === '*' || (ns === '.' ? namespace === proxyNs : namespace === ns);
  return nsOk && hostsIntersect(host, hostname);
}

function mergeRules(rules: DestinationRuleConfig[]): DestinationRuleConfig {
  const best = [...rules].sort((a, b) => bySpecificity(a.host, b.host))[0]!;
  const same = rules.filter((r) => r.host === best.host);
  if (same.length === 1) return best;
  const subsets: Subset[] = [];
  for (const r of same)
    for (const s of r.spec.subsets ?? []) if (!subsets.some((x) => x.name === s.name)) subsets.push(s);
  const trafficPolicy = same.find((r) => r.spec.trafficPolicy)?.spec.trafficPolicy;
  return { ...best, spec: { ...best.spec, subsets, ...(trafficPolicy ? { trafficPolicy } : {}) } };
}

function meta(c: StoredConfig): ConfigMeta {
  return { name: c.resource.metadata.name ?? '', namespace: c.resource.metadata.namespace ?? 'default' };
}

function created(c: StoredConfig): number {
  return Date.parse(c.resource.metadata.creationTimestamp ?? '') || Number(c.resourceVersion) || 0;
}

function key(c: StoredConfig): string {
  return `${c.resource.metadata.namespace ?? ''}/${c.resource.metadata.name ?? ''}`;
}

/** `gw`, `ns/gw` or `gw.ns.svc.cluster.local` → `ns/gw`; `mesh` stays. */
export function resolveGatewayName(name: string, namespace: string): string {
  if (name === 'mesh' || name.includes('/')) return name;
  const parts = name.split('.');
  if (parts.length >= 2) return `${parts[1]}/${parts[0]}`;
  return `${namespace}/${name}`;
}

function resolveDestination(d: Destination, ns: string, suffix: string): Destination {
  return { ...d, host: resolveHost(d.host, ns, suffix) };
}

function resolveHttpRoute(r: HTTPRoute, ns: string, suffix: string): HTTPRoute {
  return {
    ...r,
    ...(r.match ? { match: r.match.map((m) => resolveMatchGateways(m, ns)) } : {}),
    ...(r.route
      ? { route: r.route.map((d) => ({ ...d, destination: resolveDestination(d.destination, ns, suffix) })) }
      : {}),
    ...(r.mirror ? { mirror: resolveDestination(r.mirror, ns, suffix) } : {}),
    ...(r.mirrors
      ? {
          mirrors: r.mirrors.map((m) => ({
            ...m,
            destination: resolveDestination(m.destination, ns, suffix),
          })),
        }
      : {}),
  };
}

function resolveMatchGateways<T extends { gateways?: string[] }>(m: T, ns: string): T {
  return m.gateways ? { ...m, gateways: m.gateways.map((g) => resolveGatewayName(g, ns)) } : m;
}

function resolveVirtualServices(configs: StoredConfig[], suffix: string): VirtualServiceConfig[] {
  const byName = new Map(configs.map((c) => [key(c), c]));
  return configs.map((c) => {
    const { name, namespace } = meta(c);
    const spec = c.resource.spec as VirtualServiceSpec;
    const http = (spec.http ?? []).flatMap((r) => inlineDelegate(r, namespace, suffix, byName));
    const l4 = <R extends { match?: { gateways?: string[] }[]; route?: { destination: Destination }[] }>(
      r: R,
    ): R => ({
      ...r,
      ...(r.match ? { match: r.match.map((m) => resolveMatchGateways(m, namespace)) } : {}),
      ...(r.route
        ? {
            route: r.route.map((d) => ({
              ...d,
              destination: resolveDestination(d.destination, namespace, suffix),
            })),
          }
        : {}),
    });
    return {
      name,
      namespace,
      hosts: (spec.hosts ?? []).map((h) => resolveHost(h, namespace, suffix)),
      gateways: (spec.gateways?.length ? spec.gateways : ['mesh']).map((g) =>
        resolveGatewayName(g, namespace),
      ),
      spec: {
        ...spec,
        http,
        ...(spec.tls ? { tls: spec.tls.map(l4) } : {}),
        ...(spec.tcp ? { tcp: spec.tcp.map(l4) } : {}),
      },
    };
  });
}

/** A route delegating to another VirtualService becomes that VS's routes, each ANDed with the parent's match. */
function inlineDelegate(
  r: HTTPRoute,
  ns: string,
  suffix: string,
  byName: Map<string, StoredConfig>,
): HTTPRoute[] {
  const resolved = resolveHttpRoute(r, ns, suffix);
  if (!r.delegate) return [resolved];
  const dns = r.delegate.namespace || ns;
  const target = byName.get(`${dns}/${r.delegate.name}`);
  const child = target?.resource.spec as VirtualServiceSpec | undefined;
  if (!child || (child.hosts?.length ?? 0) > 0) return [];
  return (child.http ?? [])
    .filter((cr) => !cr.delegate)
    .map((cr) => {
      const c = resolveHttpRoute(cr, dns, suffix);
      const match = mergeMatches(resolved.match, c.match);
      const { delegate: _d, match: _m, ...parentRest } = resolved;
      return { ...parentRest, ...c, ...(match ? { match } : {}) };
    });
}

function mergeMatches(
  parent?: HTTPMatchRequest[],
  child?: HTTPMatchRequest[],
): HTTPMatchRequest[] | undefined {
  if (!parent?.length) return child;
  if (!child?.length) return parent;
  return parent.flatMap((p) =>
    child.map((c) => ({
      ...p,
      ...c,
      headers: { ...p.headers, ...c.headers },
      queryParams: { ...p.queryParams, ...c.queryParams },
      withoutHeaders: { ...p.withoutHeaders, ...c.withoutHeaders },
    })),
  );
}

/** Whether any of `hosts` overlaps `host` (used to bind VirtualServices to services). */
export function anyHostIntersects(hosts: readonly string[], host: string): boolean {
  return hosts.some((h) => hostsIntersect(h, host));
}
