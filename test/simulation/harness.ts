// Test fixtures for translation and simulation tests: Istio YAML into a real config store, services
// and pods into the local registry, a push context, proxies, and every generated resource validated.
import { parseResources } from '../../src/config/loader.js';
import { ConfigStore } from '../../src/config/store.js';
import '../../src/api/kinds.js';
import type { ProxyInfo } from '../../src/xds/contracts.js';
import { buildPushContext, type PushContext } from '../../src/xds/push-context.js';
import type { MeshConfigInput } from '../../src/xds/generators/mesh.js';
import { LocalRegistry, kubeHostname } from '../../src/registry/local.js';
import { ServiceEntryRegistry } from '../../src/registry/serviceentry.js';
import { AggregateRegistry } from '../../src/registry/aggregate.js';
import { protocolFromPort, TLS_MODE_LABEL, type Endpoint } from '../../src/registry/model.js';
import { cds } from '../../src/xds/generators/cds.js';
import { eds } from '../../src/xds/generators/eds.js';
import { lds } from '../../src/xds/generators/lds.js';
import { rds } from '../../src/xds/generators/rds.js';
import { sds } from '../../src/xds/generators/sds.js';
import { messageName } from '../../src/xds/type-urls.js';
import { assertValidResource } from './validate.js';

export interface PodSpec {
  name: string;
  namespace: string;
  ip: string;
  labels: Record<string, string>;
  serviceAccount?: string;
  locality?: string;
  /** false for a pod without a sidecar (no tlsMode label) */
  injected?: boolean;
}

export interface ServiceSpec {
  name: string;
  namespace: string;
  vip?: string;
  ports: { name: string; port: number; targetPort?: number }[];
  selector: Record<string, string>;
}

export interface MeshSetup {
  yaml?: string;
  services?: ServiceSpec[];
  pods?: PodSpec[];
  mesh?: Partial<MeshConfigInput>;
}

export interface Mesh {
  push: PushContext;
  store: ConfigStore;
  local: LocalRegistry;
  /** Applies more YAML (or replaces resources) and builds the next push context from the same store. */
  update(yaml: string): PushContext;
}

let vipCounter = 0;

function applyYaml(store: ConfigStore, yaml: string): void {
  const loaded = parseResources(yaml, 'test.yaml');
  if (loaded.diagnostics.length > 0) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  const res = store.apply(loaded.resources, { owner: 'test' });
  if (!res.ok) throw new Error(res.diagnostics.map((d) => `${d.message}`).join('\n'));
  store.flush();
}

export function setupMesh(setup: MeshSetup): Mesh {
  const store = new ConfigStore({ debounceMs: 0 });
  if (setup.yaml) applyYaml(store, setup.yaml);
  const local = new LocalRegistry();
  for (const s of setup.services ?? []) {
    const hostname = kubeHostname(s.name, s.namespace);
    const pods = (setup.pods ?? []).filter(
      (p) => p.namespace === s.namespace && Object.entries(s.selector).every(([k, v]) => p.labels[k] === v),
    );
    const endpoints: Endpoint[] = pods.flatMap((p) =>
      s.ports.map((port) => ({
        address: p.ip,
        port: port.targetPort ?? port.port,
        servicePortName: port.name,
        labels: p.injected === false ? p.labels : { ...p.labels, [TLS_MODE_LABEL]: 'istio' },
        serviceAccount: `spiffe://cluster.local/ns/${p.namespace}/sa/${p.serviceAccount ?? 'default'}`,
        ...(p.locality ? { locality: p.locality } : {}),
        health: 'HEALTHY' as const,
        workload: p.name,
      })),
    );
    local.upsertService({
      hostname,
      name: s.name,
      namespace: s.namespace,
      addresses: [s.vip ?? `10.96.0.${++vipCounter}`],
      ports: s.ports.map((p) => ({
        name: p.name,
        port: p.port,
        protocol: protocolFromPort(p.name),
        ...(p.targetPort ? { targetPort: p.targetPort } : {}),
      })),
      labels: { app: s.name },
      exportTo: [],
      resolution: 'ClientSideLB',
      meshExternal: false,
      serviceAccounts: [...new Set(endpoints.map((e) => e.serviceAccount!))].sort(),
      registry: 'Kubernetes',
    });
    local.upsertEndpoints(hostname, endpoints);
  }
  const registry = new AggregateRegistry([local, new ServiceEntryRegistry(store)]);
  const build = () =>
    buildPushContext({ store, registry, version: 'test', ...(setup.mesh ? { mesh: setup.mesh } : {}) });
  return {
    push: build(),
    store,
    local,
    update(yaml) {
      applyYaml(store, yaml);
      return build();
    },
  };
}

export function sidecarProxy(pod: PodSpec, extra: Partial<ProxyInfo> = {}): ProxyInfo {
  return {
    id: `sidecar~${pod.ip}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.cluster.local`,
    type: 'sidecar',
    ipAddresses: [pod.ip],
    podName: pod.name,
    namespace: pod.namespace,
    dnsDomain: `${pod.namespace}.svc.cluster.local`,
    labels: pod.labels,
    ...(pod.locality ? { locality: pod.locality } : {}),
    metadata: {},
    proxyless: false,
    ...extra,
  };
}

export function routerProxy(pod: PodSpec): ProxyInfo {
  return {
    ...sidecarProxy(pod),
    id: `router~${pod.ip}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.cluster.local`,
    type: 'router',
  };
}

export interface Generated {
  clusters: Record<string, unknown>[];
  listeners: Record<string, unknown>[];
  routes: Record<string, unknown>[];
  endpoints: Record<string, unknown>[];
  /** SDS resources served for the ADS secret names the listeners and clusters refer to. */
  secrets: Record<string, unknown>[];
}

/** The SDS names a proxy would subscribe to over ADS (credentialName secrets). */
export function adsSecretNames(resources: readonly object[]): string[] {
  const names = new Set<string>();
  for (const m of JSON.stringify(resources).matchAll(/"name":"([^"]+)","sds_config":\{"ads":/g))
    names.add(m[1]!);
  return [...names].sort();
}

/** Runs every generator for a proxy and validates each resource against Envoy's protos. */
export function generateAll(proxy: ProxyInfo, push: PushContext): Generated {
  const run = (g: typeof cds, names?: string[]): Record<string, unknown>[] => {
    const out = g.generate({ proxy, push, ...(names ? { names } : {}) });
    for (const r of out) assertValidResource(messageName(g.typeUrl), r.resource);
    return out.map((r) => r.resource as Record<string, unknown>);
  };
  const base = { clusters: run(cds), listeners: run(lds), routes: run(rds), endpoints: run(eds) };
  const gen = { ...base, secrets: run(sds, adsSecretNames([...base.listeners, ...base.clusters])) };
  assertConsistent(gen);
  return gen;
}

/** Like go-control-plane's Snapshot.Consistent: every RDS name a listener uses and every EDS cluster is served. */
function assertConsistent(gen: Generated): void {
  const routeNames = new Set(gen.routes.map((r) => r.name));
  for (const m of JSON.stringify(gen.listeners).matchAll(/"route_config_name":"([^"]+)"/g))
    if (!routeNames.has(m[1])) throw new Error(`listener refers to route ${m[1]} that RDS does not serve`);
  const assignments = new Set(gen.endpoints.map((e) => e.cluster_name));
  for (const c of gen.clusters)
    if (c.type === 'EDS' && !assignments.has(c.name))
      throw new Error(`EDS cluster ${String(c.name)} has no ClusterLoadAssignment`);
}
