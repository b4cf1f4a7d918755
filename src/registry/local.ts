// The "local" registry (Pilot's Kubernetes adapter, run on one machine): Kubernetes Services and
// ready pods. The runtime feeds it directly; Service/Endpoints/Pod resources in the store feed it too.
import type { ConfigStoreReader, StoredConfig } from '../config/store-types.js';
import { DEFAULT_DOMAIN_SUFFIX } from './host.js';
import {
  labelsMatch,
  protocolFromPort,
  Subscribers,
  TLS_MODE_LABEL,
  type Endpoint,
  type RegistryHandler,
  type Service,
  type ServiceDiscovery,
  type ServicePort,
} from './model.js';

interface KubePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}
interface KubeServiceSpec {
  ports?: KubePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  selector?: Record<string, string>;
}
interface KubeEndpointsSubset {
  addresses?: { ip: string; targetRef?: { kind?: string; name?: string } }[];
  notReadyAddresses?: { ip: string; targetRef?: { kind?: string; name?: string } }[];
  ports?: { name?: string; port: number }[];
}
interface KubePod {
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    serviceAccountName?: string;
    containers?: { ports?: { name?: string; containerPort: number }[] }[];
  };
  status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}

export interface LocalRegistryOptions {
  domainSuffix?: string;
  trustDomain?: string;
}

/** Kubernetes FQDN of a Service. */
export function kubeHostname(name: string, namespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): string {
  return `${name}.${namespace}.svc.${domainSuffix}`;
}

export class LocalRegistry implements ServiceDiscovery {
  private readonly fed = new Map<string, Service>();
  private readonly fedEndpoints = new Map<string, Endpoint[]>();
  private fromStore = new Map<string, { service: Service; endpoints: Endpoint[] }>();
  private readonly subs = new Subscribers();
  private readonly unwatch: (() => void) | undefined;
  private readonly domainSuffix: string;
  private readonly trustDomain: string;

  constructor(
    private readonly store?: ConfigStoreReader,
    opts: LocalRegistryOptions = {},
  ) {
    this.domainSuffix = opts.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
    this.trustDomain = opts.trustDomain ?? 'cluster.local';
    if (store) {
      this.rebuildFromStore();
      this.unwatch = store.watch((events) => {
        const kinds = new Set(events.filter((e) => isCore(e.config)).map((e) => e.config.resource.kind));
        if (!kinds.has('Service') && !kinds.has('Endpoints') && !kinds.has('Pod')) return;
        const before = this.fromStore;
        this.rebuildFromStore();
        const services: string[] = [];
        const endpoints: string[] = [];
        for (const h of new Set([...before.keys(), ...this.fromStore.keys()])) {
          const x = before.get(h);
          const y = this.fromStore.get(h);
          if (!x || !y || JSON.stringify(x.service) !== JSON.stringify(y.service)) services.push(h);
          else if (JSON.stringify(x.endpoints) !== JSON.stringify(y.endpoints)) endpoints.push(h);
        }
        if (services.length > 0) this.subs.notify({ kind: 'full', hosts: services, reason: 'Service' });
        else if (endpoints.length > 0)
          this.subs.notify({ kind: 'endpoints', hosts: endpoints, reason: 'Endpoints' });
      });
    }
  }

  close(): void {
    this.unwatch?.();
  }

  /** Adds or replaces a service the runtime created (a full push: CDS/LDS/RDS change). */
  upsertService(service: Service): void {
    this.fed.set(service.hostname, service);
    this.subs.notify({ kind: 'full', hosts: [service.hostname], reason: 'ServiceUpdate' });
  }

  removeService(hostname: string): void {
    this.fed.delete(hostname);
    this.fedEndpoints.delete(hostname);
    this.subs.notify({ kind: 'full', hosts: [hostname], reason: 'ServiceUpdate' });
  }

  /**
   * Replaces a service's endpoints (the ready pods). Like Pilot's EDSUpdate, a new service
   * account needs a full push (the cluster's SAN list changes); otherwise EDS alone.
   */
  upsertEndpoints(hostname: string, endpoints: Endpoint[]): void {
    const known = new Set((this.fedEndpoints.get(hostname) ?? []).map((e) => e.serviceAccount));
    this.fedEndpoints.set(hostname, endpoints);
    const newAccount = endpoints.some((e) => e.serviceAccount && !known.has(e.serviceAccount));
    this.subs.notify({
      kind: newAccount ? 'full' : 'endpoints',
      hosts: [hostname],
      reason: 'EndpointUpdate',
    });
  }

  services(): Service[] {
    const out = new Map<string, Service>();
    for (const { service } of this.fromStore.values()) out.set(service.hostname, service);
    for (const s of this.fed.values()) out.set(s.hostname, s);
    return [...out.values()];
  }

  service(hostname: string): Service | undefined {
    return this.fed.get(hostname) ?? this.fromStore.get(hostname)?.service;
  }

  endpoints(hostname: string, port: number): Endpoint[] {
    const svc = this.service(hostname);
    const sp = svc?.ports.find((p) => p.port === port);
    if (!sp) return [];
    const all = this.fedEndpoints.get(hostname) ?? this.fromStore.get(hostname)?.endpoints ?? [];
    return all.filter((e) => e.servicePortName === sp.name);
  }

  subscribe(handler: RegistryHandler): () => void {
    return this.subs.add(handler);
  }

  private rebuildFromStore(): void {
    const store = this.store!;
    const pods = store.list({ group: '', kind: 'Pod' }).map((c) => c.resource as unknown as KubePod);
    const next = new Map<string, { service: Service; endpoints: Endpoint[] }>();
    for (const cfg of store.list({ group: '', kind: 'Service' })) {
      const ns = cfg.resource.metadata.namespace ?? 'default';
      const name = cfg.resource.metadata.name ?? '';
      const spec = (cfg.resource.spec ?? {}) as KubeServiceSpec;
      const service = this.convertService(cfg, spec);
      const endpointsCfg = store.get({ group: '', kind: 'Endpoints', namespace: ns, name });
      const endpoints = endpointsCfg
        ? this.fromEndpoints(endpointsCfg, service, pods)
        : this.fromPods(
            spec,
            service,
            pods.filter((p) => (p.metadata.namespace ?? 'default') === ns),
          );
      const accounts = new Set(endpoints.flatMap((e) => (e.serviceAccount ? [e.serviceAccount] : [])));
      service.serviceAccounts = [...accounts].sort();
      next.set(service.hostname, { service, endpoints });
    }
    this.fromStore = next;
  }

  private convertService(cfg: StoredConfig, spec: KubeServiceSpec): Service {
    const ns = cfg.resource.metadata.namespace ?? 'default';
    const name = cfg.resource.metadata.name ?? '';
    const ips = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
    const headless = ips.length === 0 || ips[0] === 'None';
    const ports: ServicePort[] = (spec.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: protocolFromPort(p.name, p.appProtocol, p.protocol),
      ...(typeof p.targetPort === 'number' ? { targetPort: p.targetPort } : {}),
    }));
    const exportTo = cfg.resource.metadata.annotations?.['networking.istio.io/exportTo'];
    return {
      hostname: kubeHostname(name, ns, this.domainSuffix),
      name,
      namespace: ns,
      addresses: headless ? [] : ips,
      ports,
      labels: cfg.resource.metadata.labels ?? {},
      exportTo: exportTo ? exportTo.split(',').map((s) => s.trim()) : [],
      resolution: headless ? 'Passthrough' : 'ClientSideLB',
      meshExternal: false,
      serviceAccounts: [],
      registry: 'Kubernetes',
      creationTime: Date.parse(cfg.resource.metadata.creationTimestamp ?? '') || Number(cfg.resourceVersion),
    };
  }

  private fromEndpoints(cfg: StoredConfig, service: Service, pods: KubePod[]): Endpoint[] {
    const subsets = ((cfg.resource as { subsets?: KubeEndpointsSubset[] }).subsets ??
      []) as KubeEndpointsSubset[];
    const out: Endpoint[] = [];
    for (const subset of subsets) {
      for (const port of subset.ports ?? []) {
        const sp =
          service.ports.find((p) => p.name === (port.name ?? '')) ??
          (service.ports.length === 1 ? service.ports[0] : undefined);
        if (!sp) continue;
        const add = (addrs: KubeEndpointsSubset['addresses'], ready: boolean): void => {
          for (const a of addrs ?? []) {
            const pod = pods.find((p) => p.status?.podIP === a.ip);
            out.push(this.endpoint(a.ip, port.port, sp.name, pod, ready));
          }
        };
        add(subset.addresses, true);
        add(subset.notReadyAddresses, false);
      }
    }
    return out;
  }

  private fromPods(spec: KubeServiceSpec, service: Service, pods: KubePod[]): Endpoint[] {
    if (!spec.selector) return [];
    const out: Endpoint[] = [];
    for (const pod of pods) {
      if (!pod.status?.podIP || !labelsMatch(spec.selector, pod.metadata.labels ?? {})) continue;
      const ready = pod.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      for (const sp of service.ports) {
        const kubePort = (spec.ports ?? []).find((p) => p.port === sp.port);
        out.push(
          this.endpoint(pod.status.podIP, resolveTargetPort(kubePort, pod) ?? sp.port, sp.name, pod, ready),
        );
      }
    }
    return out;
  }

  private endpoint(
    address: string,
    port: number,
    portName: string,
    pod: KubePod | undefined,
    ready: boolean,
  ): Endpoint {
    const labels = { ...(pod?.metadata.labels ?? {}) };
    // Injected pods carry Istio's tlsMode label; auto mTLS depends on it.
    if (pod?.metadata.annotations?.['sidecar.istio.io/status'] && !labels[TLS_MODE_LABEL])
      labels[TLS_MODE_LABEL] = 'istio';
    const ns = pod?.metadata.namespace ?? 'default';
    const sa = pod
      ? `spiffe://${this.trustDomain}/ns/${ns}/sa/${pod.spec?.serviceAccountName ?? 'default'}`
      : undefined;
    const locality = pod?.metadata.labels?.['topology.istio.io/locality'];
    return {
      address,
      port,
      servicePortName: portName,
      labels,
      ...(sa ? { serviceAccount: sa } : {}),
      ...(locality ? { locality: locality.replaceAll('.', '/') } : {}),
      health: ready ? 'HEALTHY' : 'UNHEALTHY',
      ...(pod?.metadata.name ? { workload: pod.metadata.name } : {}),
    };
  }
}

function isCore(cfg: StoredConfig): boolean {
  return cfg.resource.apiVersion === 'v1';
}

function resolveTargetPort(p: KubePort | undefined, pod: KubePod): number | undefined {
  if (!p) return undefined;
  if (typeof p.targetPort === 'number') return p.targetPort;
  if (typeof p.targetPort === 'string') {
    for (const c of pod.spec?.containers ?? [])
      for (const cp of c.ports ?? []) if (cp.name === p.targetPort) return cp.containerPort;
    return undefined;
  }
  return p.port;
}
