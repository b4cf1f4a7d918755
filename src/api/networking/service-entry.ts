// ServiceEntry (networking.istio.io): adds services (hosts, addresses, ports, endpoints) to the
// mesh's registry, with their location and how their endpoints are resolved.
import { arr, enumOf, map, obj, str, uint32, type Infer, type Path, type Sink } from '../schema/dsl.js';
import { partialWildcardError } from './hosts.js';
import { exportTo } from './messages.js';
import {
  checkAlphaSelectorLabels,
  checkPortName,
  checkPortNumber,
  checkProtocol,
  isHttpProtocol,
  isTcpProtocol,
  isTlsProtocol,
  parseProtocol,
} from './rules.js';
import { cidrError, fqdnError, wildcardDomainError } from '../common.js';
import { checkWorkloadEntry, WorkloadEntryFields } from './workload-entry.js';

export const ServicePort = obj(
  {
    number: uint32(),
    protocol: str({ maxLength: 256 }),
    name: str({ maxLength: 256 }),
    targetPort: uint32(),
  },
  { required: ['number', 'name'] },
).refine((p, path, sink) => {
  checkPortNumber(p.number ?? 0, [...path, 'number'], sink);
  if (p.targetPort !== undefined) checkPortNumber(p.targetPort, [...path, 'targetPort'], sink);
  checkPortName(p.name ?? '', [...path, 'name'], sink);
  checkProtocol(p.protocol, [...path, 'protocol'], sink);
});
export type ServicePort = Infer<typeof ServicePort>;

export const SE_RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'] as const;

const ServiceEntryFields = obj(
  {
    hosts: arr(str(), { minItems: 1, maxItems: 256 }),
    addresses: arr(str(), { maxItems: 256 }),
    ports: arr(ServicePort, { maxItems: 256 }),
    location: enumOf(['MESH_EXTERNAL', 'MESH_INTERNAL']),
    resolution: enumOf(SE_RESOLUTIONS),
    endpoints: arr(WorkloadEntryFields, { maxItems: 4096 }),
    workloadSelector: obj({ labels: map(str()) }),
    exportTo: exportTo(),
    subjectAltNames: arr(str()),
  },
  { required: ['hosts'] },
);
type SE = Infer<typeof ServiceEntryFields>;

function checkHosts(se: SE, path: Path, sink: Sink): void {
  (se.hosts ?? []).forEach((h, i) => {
    const p = [...path, 'hosts', i];
    if (h === '*') return sink.error(p, 'hostname cannot be wildcard');
    const e = wildcardDomainError(h);
    if (e) sink.error(p, e);
    const w = se.resolution !== 'DYNAMIC_DNS' && partialWildcardError(h);
    if (w) sink.warn(p, w);
  });
}

function checkPorts(se: SE, path: Path, sink: Sink): void {
  const names = new Set<string>();
  const numbers = new Set<number>();
  (se.ports ?? []).forEach((p, i) => {
    if (p.name !== undefined) {
      if (names.has(p.name))
        sink.error(
          [...path, 'ports', i, 'name'],
          `Duplicate value: service entry port name "${p.name}" already defined`,
        );
      names.add(p.name);
    }
    if (p.number !== undefined) {
      if (numbers.has(p.number))
        sink.error([...path, 'ports', i, 'number'], `port number cannot be duplicated: ${p.number}`);
      numbers.add(p.number);
    }
  });
}

/** Endpoints by resolution mode; `servicePorts` are the port names endpoints may map. */
function checkEndpoints(se: SE, path: Path, sink: Sink): void {
  const resolution = se.resolution ?? 'NONE';
  const endpoints = se.endpoints ?? [];
  const portNames = new Set((se.ports ?? []).map((p) => p.name));
  endpoints.forEach((ep, i) => {
    const p = [...path, 'endpoints', i];
    if (resolution === 'STATIC' || resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN')
      checkWorkloadEntry(ep, { allowFqdn: resolution !== 'STATIC' }, p, sink);
    for (const [name, port] of Object.entries(ep.ports ?? {}))
      if (!portNames.has(name))
        sink.error([...p, 'ports', name], `endpoint port ${port} is not defined by the service entry`);
    const uds = ep.address?.startsWith('unix://');
    if (uds && resolution === 'STATIC' && portNames.size !== 1)
      sink.error([...p, 'address'], 'exactly 1 service port required for unix endpoints');
  });
}

function checkResolution(se: SE, path: Path, sink: Sink): void {
  const resolution = se.resolution ?? 'NONE';
  const hosts = se.hosts ?? [];
  const endpoints = se.endpoints ?? [];
  const addresses = se.addresses ?? [];
  switch (resolution) {
    case 'NONE':
      if (se.endpoints !== undefined) sink.error([...path, 'endpoints'], 'NONE mode cannot set endpoints');
      if (se.workloadSelector)
        sink.warn(
          [...path, 'workloadSelector'],
          'workloadSelector should not be set when resolution mode is NONE',
        );
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN': {
      if (endpoints.length === 0) {
        const bad = hosts.map((h) => fqdnError(h)).find(Boolean);
        if (bad)
          sink.error(
            [...path, 'hosts'],
            `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}, ${bad}`,
          );
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1)
        sink.error([...path, 'endpoints'], 'DNS_ROUND_ROBIN mode cannot have multiple endpoints');
      if (addresses.length && hosts.length > 1 && (se.ports ?? []).some((p) => isTcpProtocol(p.protocol)))
        sink.warn(
          path,
          'service entry can not have more than one host specified simultaneously with address and tcp port',
        );
      break;
    }
    case 'DYNAMIC_DNS':
      hosts.forEach((h, i) => {
        if (!h.startsWith('*'))
          sink.error([...path, 'hosts', i], `host must be wildcarded for resolution mode ${resolution}`);
      });
      if (addresses.length)
        sink.error(
          [...path, 'addresses'],
          `addresses cannot be set for resolution type ${resolution}. HTTP route domains will only be generated from the hosts field values`,
        );
      if (endpoints.length)
        sink.error(
          [...path, 'endpoints'],
          `endpoints cannot be set for resolution type ${resolution}. Destination IP address determined from hosts field values`,
        );
      (se.ports ?? []).forEach((p, i) => {
        if (!['HTTP', 'TLS', 'GRPC', 'HTTP2'].includes(parseProtocol(p.protocol) ?? ''))
          sink.error(
            [...path, 'ports', i, 'protocol'],
            `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type ${resolution}`,
          );
      });
      break;
    case 'STATIC':
      break;
  }
  if (
    resolution !== 'NONE' &&
    hosts.length > 1 &&
    (se.ports ?? []).some((p) => !isHttpProtocol(p.protocol) && !isTlsProtocol(p.protocol))
  )
    sink.error([...path, 'ports'], 'multiple hosts provided with non-HTTP, non-TLS ports');
}

export const ServiceEntry = ServiceEntryFields.refine((se, path, sink) => {
  if (se.workloadSelector !== undefined && se.endpoints !== undefined)
    sink.error(path, 'only one of WorkloadSelector or Endpoints can be set');
  checkAlphaSelectorLabels(se.workloadSelector?.labels, [...path, 'workloadSelector', 'labels'], sink);
  checkHosts(se, path, sink);
  let cidr = false;
  (se.addresses ?? []).forEach((a, i) => {
    cidr ||= a.includes('/');
    const e = cidrError(a);
    if (e) sink.error([...path, 'addresses', i], e);
  });
  if (cidr && !['NONE', 'STATIC'].includes(se.resolution ?? 'NONE'))
    sink.error([...path, 'addresses'], 'CIDR addresses are allowed only for NONE/STATIC resolution types');
  checkPorts(se, path, sink);
  checkEndpoints(se, path, sink);
  checkResolution(se, path, sink);
});
export type ServiceEntry = SE;
