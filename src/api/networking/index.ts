// networking.istio.io kinds (DESIGN.md §2.1): VirtualService, DestinationRule, Gateway,
// ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, EnvoyFilter, ProxyConfig.
import { registerKind, type KindDef } from '../registry.js';
import type { Resource } from '../resource.js';
import type { Schema, Sink } from '../schema/dsl.js';
import { DestinationRule } from './destination-rule.js';
import { Gateway } from './gateway.js';
import { ServiceEntry } from './service-entry.js';
import { Sidecar } from './sidecar.js';
import { VirtualService } from './virtual-service.js';
import { WorkloadEntry } from './workload-entry.js';

export const NETWORKING_GROUP = 'networking.istio.io';
const ALL_VERSIONS = ['v1alpha3', 'v1beta1', 'v1'] as const;

function networkingKind(
  kind: string,
  plural: string,
  aliases: readonly string[],
  spec: Schema<unknown>,
  validate?: (res: Resource, sink: Sink) => void,
  versions: readonly string[] = ALL_VERSIONS,
): KindDef {
  return registerKind({
    group: NETWORKING_GROUP,
    kind,
    versions,
    plural,
    aliases: [kind.toLowerCase(), ...aliases],
    namespaced: true,
    body: { spec },
    required: ['spec'],
    ...(validate ? { validate } : {}),
  });
}

networkingKind('VirtualService', 'virtualservices', ['vs'], VirtualService);
networkingKind('DestinationRule', 'destinationrules', ['dr'], DestinationRule);
networkingKind('Gateway', 'gateways', ['gw'], Gateway);
networkingKind('ServiceEntry', 'serviceentries', ['se'], ServiceEntry);
networkingKind('Sidecar', 'sidecars', [], Sidecar);
networkingKind('WorkloadEntry', 'workloadentries', ['we'], WorkloadEntry);

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
