// networking.istio.io kinds (DESIGN.md §2.1): VirtualService, DestinationRule, Gateway,
// ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, EnvoyFilter, ProxyConfig — registered with
// the versions, plurals and short names Istio's CRDs serve.
import { isDns1123Label } from '../common.js';
import { registerKind } from '../registry.js';
import type { Resource } from '../resource.js';
import type { Schema, Sink } from '../schema/dsl.js';
import { DestinationRule } from './destination-rule.js';
import { EnvoyFilter } from './envoy-filter.js';
import { Gateway } from './gateway.js';
import { checkExportTo } from './hosts.js';
import { ProxyConfig } from './proxy-config.js';
import { ServiceEntry } from './service-entry.js';
import { Sidecar } from './sidecar.js';
import { VirtualService } from './virtual-service.js';
import { WorkloadEntry } from './workload-entry.js';
import { WorkloadGroup } from './workload-group.js';

export const NETWORKING_GROUP = 'networking.istio.io';
const ALL_VERSIONS = ['v1alpha3', 'v1beta1', 'v1'] as const;

interface NetworkingKind {
  kind: string;
  plural: string;
  shortNames?: readonly string[];
  spec: Schema<unknown>;
  versions?: readonly string[];
  /** Rules that need the resource's name or namespace. */
  validate?: (res: Resource, sink: Sink) => void;
}

function register(k: NetworkingKind): void {
  registerKind({
    group: NETWORKING_GROUP,
    kind: k.kind,
    versions: k.versions ?? ALL_VERSIONS,
    plural: k.plural,
    aliases: [k.kind.toLowerCase(), ...(k.shortNames ?? [])],
    namespaced: true,
    body: { spec: k.spec },
    required: ['spec'],
    ...(k.validate ? { validate: k.validate } : {}),
  });
}

type WithExportTo = { exportTo?: string[]; workloadSelector?: unknown };

/** exportTo is checked against the resource's own namespace ("." and the namespace are duplicates). */
const exportToRule =
  (opts: { serviceEntry?: boolean; destinationRule?: boolean }) =>
  (res: Resource, sink: Sink): void => {
    const spec = (res.spec ?? {}) as WithExportTo;
    checkExportTo(
      res.metadata.namespace,
      spec.exportTo,
      {
        serviceEntry: opts.serviceEntry,
        drWithSelector: opts.destinationRule && spec.workloadSelector !== undefined,
      },
      ['spec', 'exportTo'],
      sink,
    );
  };

register({
  kind: 'VirtualService',
  plural: 'virtualservices',
  shortNames: ['vs'],
  spec: VirtualService,
  validate: exportToRule({}),
});
register({
  kind: 'DestinationRule',
  plural: 'destinationrules',
  shortNames: ['dr'],
  spec: DestinationRule,
  validate: exportToRule({ destinationRule: true }),
});
register({
  kind: 'Gateway',
  plural: 'gateways',
  shortNames: ['gw'],
  spec: Gateway,
  // VirtualServices name gateways as <namespace>/<name>, so the name cannot contain dots.
  validate: (res, sink) => {
    const name = res.metadata.name;
    if (name && !isDns1123Label(name)) sink.error(['metadata', 'name'], `invalid gateway name: "${name}"`);
  },
});
register({
  kind: 'ServiceEntry',
  plural: 'serviceentries',
  shortNames: ['se'],
  spec: ServiceEntry,
  validate: exportToRule({ serviceEntry: true }),
});
register({ kind: 'Sidecar', plural: 'sidecars', spec: Sidecar });
register({ kind: 'WorkloadEntry', plural: 'workloadentries', shortNames: ['we'], spec: WorkloadEntry });
register({ kind: 'WorkloadGroup', plural: 'workloadgroups', shortNames: ['wg'], spec: WorkloadGroup });
register({ kind: 'EnvoyFilter', plural: 'envoyfilters', spec: EnvoyFilter, versions: ['v1alpha3'] });
register({ kind: 'ProxyConfig', plural: 'proxyconfigs', spec: ProxyConfig, versions: ['v1beta1'] });

export * from './messages.js';
export * from './tls.js';
export * from './traffic-policy.js';
export * from './http-route.js';
export * from './virtual-service.js';
export * from './destination-rule.js';
export * from './gateway.js';
export * from './service-entry.js';
export * from './sidecar.js';
export * from './workload-entry.js';
export * from './workload-group.js';
export * from './envoy-filter.js';
export * from './proxy-config.js';
