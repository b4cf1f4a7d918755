// ServiceEntry + WorkloadEntry registry (pilot/pkg/serviceregistry/serviceentry): one Service per
// ServiceEntry host, endpoints from inline endpoints, selected WorkloadEntries, or the DNS host.
import type { ConfigStoreReader, StoredConfig } from '../config/store-types.js';
import {
  labelsMatch,
  parseProtocol,
  Subscribers,
  type Endpoint,
  type RegistryHandler,
  type Resolution,
  type Service,
  type ServiceDiscovery,
  type ServicePort,
} from './model.js';
import type { ServiceEntrySpec, WorkloadEntrySpec } from './specs.js';

const GROUP = 'networking.istio.io';

const RESOLUTIONS: Record<string, Resolution> = {
  NONE: 'Passthrough',
  STATIC: 'ClientSideLB',
  DNS: 'DNS',
  DNS_ROUND_ROBIN: 'DNSRoundRobin',
};

interface Entry {
  service: Service;
  /** endpoints keyed by service port number */
  endpoints: Map<number, Endpoint[]>;
}

export class ServiceEntryRegistry implements ServiceDiscovery {
  private entries = new Map<string, Entry>();
  private readonly subs = new Subscribers();
  private readonly unwatch: () => void;

  constructor(private readonly store: ConfigStoreReader) {
    this.rebuild();
    this.unwatch = store.watch((events) => {
      const kinds = new Set(events.map((e) => e.config.resource.kind));
      if (!kinds.has('ServiceEntry') && !kinds.has('WorkloadEntry')) return;
      const before = this.entries;
      this.rebuild();
      const { changedServices, changedEndpoints } = diff(before, this.entries);
      if (changedServices.length > 0)
        this.subs.notify({ kind: 'full', hosts: changedServices, reason: 'ServiceEntry' });
      else if (changedEndpoints.length > 0)
        this.subs.notify({ kind: 'endpoints', hosts: changedEndpoints, reason: 'WorkloadEntry' });
    });
  }

  close(): void {
    this.unwatch();
  }

  services(): Service[] {
    return [...this.entries.values()].map((e) => e.service);
  }

  service(hostname: string): Service | undefined {
    return this.entries.get(hostname)?.service;
  }

  endpoints(hostname: string, port: number): Endpoint[] {
    return this.entries.get(hostname)?.endpoints.get(port) ?? [];
  }

  subscribe(handler: RegistryHandler): () => void {
    return this.subs.add(handler);
  }

  private rebuild(): void {
    const workloads = this.store.list({ group: GROUP, kind: 'WorkloadEntry' });
    const next = new Map<string, Entry>();
    for (const cfg of this.store.list({ group: GROUP, kind: 'ServiceEntry' })) {
      for (const e of convertServiceEntry(cfg, workloads))
        if (!next.has(e.service.hostname)) next.set(e.service.hostname, e);
    }
    this.entries = next;
  }
}

function convertServiceEntry(cfg: StoredConfig, workloads: StoredConfig[]): Entry[] {
  const spec = cfg.resource.spec as ServiceEntrySpec;
  const ns = cfg.resource.metadata.namespace ?? 'default';
  const resolution = RESOLUTIONS[spec.resolution ?? 'NONE'] ?? 'Passthrough';
  const ports: ServicePort[] = (spec.ports ?? []).map((p) => ({
    name: p.name ?? `${p.protocol ?? 'tcp'}-${p.number}`.toLowerCase(),
    port: p.number,
    protocol: parseProtocol(p.protocol) ?? 'TCP',
    ...(p.targetPort ? { targetPort: p.targetPort } : {}),
  }));
  const created = Date.parse(cfg.resource.metadata.creationTimestamp ?? '') || Number(cfg.resourceVersion);
  const selected = spec.workloadSelector
    ? workloads.filter(
        (w) =>
          (w.resource.metadata.namespace ?? 'default') === ns &&
          labelsMatch(spec.workloadSelector!.labels, (w.resource.spec as WorkloadEntrySpec).labels ?? {}),
      )
    : [];
  const workloadSpecs: { spec: WorkloadEntrySpec; name?: string }[] = [
    ...(spec.endpoints ?? []).map((s) => ({ spec: s })),
    ...selected.map((w) => ({ spec: w.resource.spec as WorkloadEntrySpec, name: w.resource.metadata.name })),
  ];
  return spec.hosts.map((host) => {
    const service: Service = {
      hostname: host,
      name: cfg.resource.metadata.name ?? host,
      namespace: ns,
      addresses: spec.addresses ?? [],
      ports,
      labels: cfg.resource.metadata.labels ?? {},
      exportTo: spec.exportTo ?? [],
      resolution,
      meshExternal: spec.location !== 'MESH_INTERNAL',
      serviceAccounts: [...(spec.subjectAltNames ?? [])],
      registry: 'ServiceEntry',
      creationTime: created,
    };
    const endpoints = new Map<number, Endpoint[]>();
    for (const port of ports) {
      const target = port.targetPort ?? port.port;
      const list = workloadSpecs
        .filter((w) => w.spec.address)
        .map(({ spec: w, name }) => workloadEndpoint(w, port, target, name));
      // DNS resolution without endpoints resolves the host itself (Istio: endpoint per host).
      if (
        list.length === 0 &&
        (resolution === 'DNS' || resolution === 'DNSRoundRobin') &&
        !host.startsWith('*')
      )
        list.push({ address: host, port: target, servicePortName: port.name, labels: {}, health: 'HEALTHY' });
      endpoints.set(port.port, list);
    }
    return { service, endpoints };
  });
}

function workloadEndpoint(w: WorkloadEntrySpec, port: ServicePort, target: number, name?: string): Endpoint {
  return {
    address: w.address!,
    port: w.ports?.[port.name] ?? target,
    servicePortName: port.name,
    labels: w.labels ?? {},
    ...(w.serviceAccount ? { serviceAccount: w.serviceAccount } : {}),
    ...(w.locality ? { locality: w.locality } : {}),
    ...(w.network ? { network: w.network } : {}),
    ...(w.weight ? { weight: w.weight } : {}),
    health: 'HEALTHY',
    ...(name ? { workload: name } : {}),
  };
}

function diff(
  a: Map<string, Entry>,
  b: Map<string, Entry>,
): { changedServices: string[]; changedEndpoints: string[] } {
  const changedServices: string[] = [];
  const changedEndpoints: string[] = [];
  for (const host of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(host);
    const y = b.get(host);
    if (!x || !y || JSON.stringify(x.service) !== JSON.stringify(y.service)) changedServices.push(host);
    else if (JSON.stringify([...x.endpoints]) !== JSON.stringify([...y.endpoints]))
      changedEndpoints.push(host);
  }
  return { changedServices, changedEndpoints };
}
