// ServiceEntry (networking.istio.io): adds services (hosts, addresses, ports, endpoints) to the
// mesh's registry, with their location and how their endpoints are resolved.
import { arr, enumOf, obj, str, uint32, type Infer } from '../schema/dsl.js';
import { labels } from '../common.js';
import { exportTo } from './messages.js';
import { WorkloadEntry } from './workload-entry.js';

export const ServicePort = obj(
  {
    number: uint32(),
    protocol: str({ maxLength: 256 }),
    name: str({ maxLength: 256 }),
    targetPort: uint32(),
  },
  { required: ['number', 'name'] },
);
export type ServicePort = Infer<typeof ServicePort>;

export const SE_RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'] as const;

export const ServiceEntry = obj(
  {
    hosts: arr(str(), { minItems: 1, maxItems: 256 }),
    addresses: arr(str(), { maxItems: 256 }),
    ports: arr(ServicePort, { maxItems: 256 }),
    location: enumOf(['MESH_EXTERNAL', 'MESH_INTERNAL']),
    resolution: enumOf(SE_RESOLUTIONS),
    endpoints: arr(WorkloadEntry, { maxItems: 4096 }),
    workloadSelector: obj({ labels: labels() }),
    exportTo: exportTo(),
    subjectAltNames: arr(str()),
  },
  { required: ['hosts'], oneOf: [['workloadSelector', 'endpoints']] },
);
export type ServiceEntry = Infer<typeof ServiceEntry>;
