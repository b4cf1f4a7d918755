// EnvoyFilter (networking.istio.io/v1alpha3): patches to generated Envoy config — applyTo, match
// (context, proxy, listener/route/cluster/waypoint), patch operation and value, priority, targetRefs.
import {
  arr,
  enumOf,
  int,
  map,
  obj,
  str,
  struct,
  uint32,
  type Infer,
  type Path,
  type Sink,
} from '../schema/dsl.js';
import { PolicyTargetReference } from '../common.js';
import { checkRegex } from './regex.js';
import { checkAlphaSelectorLabels, checkPortNumber } from './rules.js';

export const APPLY_TO = [
  'INVALID',
  'LISTENER',
  'FILTER_CHAIN',
  'NETWORK_FILTER',
  'HTTP_FILTER',
  'ROUTE_CONFIGURATION',
  'VIRTUAL_HOST',
  'HTTP_ROUTE',
  'CLUSTER',
  'EXTENSION_CONFIG',
  'BOOTSTRAP',
  'LISTENER_FILTER',
] as const;
export const PATCH_CONTEXTS = ['ANY', 'SIDECAR_INBOUND', 'SIDECAR_OUTBOUND', 'GATEWAY', 'WAYPOINT'] as const;
export const PATCH_OPERATIONS = [
  'INVALID',
  'MERGE',
  'ADD',
  'REMOVE',
  'INSERT_BEFORE',
  'INSERT_AFTER',
  'INSERT_FIRST',
  'REPLACE',
  'MERGE_AND_REPLACE_LIST',
] as const;

const named = () => obj({ name: str() });

const ListenerMatch = obj({
  portNumber: uint32(),
  portName: str(),
  filterChain: obj({
    name: str(),
    sni: str(),
    transportProtocol: str(),
    applicationProtocols: str(),
    filter: obj({ name: str(), subFilter: named() }),
    destinationPort: uint32(),
  }),
  listenerFilter: str(),
  name: str(),
});

const RouteConfigurationMatch = obj({
  portNumber: uint32(),
  portName: str(),
  gateway: str(),
  vhost: obj({
    name: str(),
    domainName: str(),
    route: obj({ name: str(), action: enumOf(['ANY', 'ROUTE', 'REDIRECT', 'DIRECT_RESPONSE']) }),
  }),
  name: str(),
});

const ClusterMatch = obj({ portNumber: uint32(), service: str(), subset: str(), name: str() });

const WaypointMatch = obj({
  portNumber: uint32().refine((p, path, sink) => checkPortNumber(p, path, sink)),
  route: named(),
  filter: obj({ name: str(), subFilter: named() }),
});

export const EnvoyConfigObjectMatch = obj(
  {
    context: enumOf(PATCH_CONTEXTS),
    proxy: obj({ proxyVersion: str(), metadata: map(str()) }),
    listener: ListenerMatch,
    routeConfiguration: RouteConfigurationMatch,
    cluster: ClusterMatch,
    waypoint: WaypointMatch,
  },
  { oneOf: [['listener', 'routeConfiguration', 'cluster', 'waypoint']] },
).refine((m, path, sink) => {
  if ((m.context === 'WAYPOINT') !== (m.waypoint !== undefined))
    sink.error(path, 'Invalid value: "object": only support waypointMatch when context is WAYPOINT');
});

export const Patch = obj({
  operation: enumOf(PATCH_OPERATIONS),
  value: struct(),
  filterClass: enumOf(['UNSPECIFIED', 'AUTHN', 'AUTHZ', 'STATS']),
});

export const EnvoyConfigObjectPatch = obj({
  applyTo: enumOf(APPLY_TO),
  match: EnvoyConfigObjectMatch,
  patch: Patch,
});
export type EnvoyConfigObjectPatch = Infer<typeof EnvoyConfigObjectPatch>;

const HCM = 'envoy.filters.network.http_connection_manager';
const LISTENER_CLASS = new Set(['LISTENER', 'FILTER_CHAIN', 'NETWORK_FILTER', 'HTTP_FILTER']);
const ROUTE_CLASS = new Set(['ROUTE_CONFIGURATION', 'VIRTUAL_HOST', 'HTTP_ROUTE']);

/** Istio's validateEnvoyFilter rules for one config patch (WAYPOINT patches are checked by the CRD only). */
function checkConfigPatch(cp: EnvoyConfigObjectPatch, path: Path, sink: Sink): void {
  const m = cp.match;
  if (m?.context === 'WAYPOINT') return;
  const applyTo = cp.applyTo ?? 'INVALID';
  if (applyTo === 'INVALID') return sink.error([...path, 'applyTo'], 'Envoy filter: missing applyTo');
  if (!cp.patch) return sink.error([...path, 'patch'], 'Envoy filter: missing patch');
  const op = cp.patch.operation ?? 'INVALID';
  if (op === 'INVALID')
    return sink.error([...path, 'patch', 'operation'], 'Envoy filter: missing patch operation');
  if (op !== 'REMOVE' && cp.patch.value === undefined)
    return sink.error(
      [...path, 'patch', 'value'],
      'Envoy filter: missing patch value for non-remove operation',
    );
  const version = m?.proxy?.proxyVersion;
  if (version) {
    if (version.length > 1024)
      sink.warn(
        [...path, 'match', 'proxy', 'proxyVersion'],
        'Envoy filter: proxyVersion match exceeds 1024 characters and will be ignored',
      );
    else checkRegex(version, 'proxyVersion', [...path, 'match', 'proxy', 'proxyVersion'], sink);
  }
  const hasObjectMatch = m && (m.listener || m.routeConfiguration || m.cluster || m.waypoint);
  if (!hasObjectMatch) return;
  if (LISTENER_CLASS.has(applyTo)) {
    if (!m.listener)
      return sink.error(
        [...path, 'match'],
        'Envoy filter: applyTo for listener class objects cannot have non listener match',
      );
    const filter = m.listener.filterChain?.filter;
    if (!filter) return;
    const fp = [...path, 'match', 'listener', 'filterChain', 'filter'];
    if (applyTo === 'LISTENER' || applyTo === 'FILTER_CHAIN')
      sink.warn(fp, `Envoy filter: filter match has no effect when used with ${applyTo}`);
    if (!filter.name)
      return sink.error([...fp, 'name'], 'Envoy filter: filter match has no name to match on');
    if (filter.subFilter) {
      if (applyTo !== 'HTTP_FILTER')
        return sink.error(
          [...fp, 'subFilter'],
          'Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only',
        );
      if (filter.name !== HCM && filter.name !== 'envoy.http_connection_manager')
        return sink.error([...fp, 'name'], `Envoy filter: subfilter match requires filter match with ${HCM}`);
      if (!filter.subFilter.name)
        return sink.error(
          [...fp, 'subFilter', 'name'],
          'Envoy filter: subfilter match has no name to match on',
        );
    }
  } else if (ROUTE_CLASS.has(applyTo) && !m.routeConfiguration) {
    sink.error(
      [...path, 'match'],
      'Envoy filter: applyTo for http route class objects cannot have non route configuration match',
    );
  } else if (applyTo === 'CLUSTER' && !m.cluster) {
    sink.error(
      [...path, 'match'],
      'Envoy filter: applyTo for cluster class objects cannot have non cluster match',
    );
  }
}

export const EnvoyFilter = obj(
  {
    workloadSelector: obj({ labels: map(str()) }),
    targetRefs: arr(PolicyTargetReference, { maxItems: 16 }),
    configPatches: arr(EnvoyConfigObjectPatch),
    priority: int(),
  },
  { oneOf: [['workloadSelector', 'targetRefs']] },
).refine((ef, path, sink) => {
  checkAlphaSelectorLabels(ef.workloadSelector?.labels, [...path, 'workloadSelector', 'labels'], sink);
  (ef.configPatches ?? []).forEach((cp, i) => checkConfigPatch(cp, [...path, 'configPatches', i], sink));
});
export type EnvoyFilter = Infer<typeof EnvoyFilter>;
