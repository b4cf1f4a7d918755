// WorkloadEntry (networking.istio.io): a non-Kubernetes workload (VM, bare metal, UDS) — also the
// shape of ServiceEntry endpoints and the WorkloadGroup template.
import { map, obj, str, uint32, type Infer } from '../schema/dsl.js';
import { labels } from '../common.js';

export const WorkloadEntry = obj({
  address: str({ maxLength: 256 }),
  ports: map(uint32()),
  labels: labels(),
  network: str({ maxLength: 2048 }),
  locality: str({ maxLength: 2048 }),
  weight: uint32(),
  serviceAccount: str({ maxLength: 253 }),
});
export type WorkloadEntry = Infer<typeof WorkloadEntry>;
