// DestinationRule (networking.istio.io): policies for traffic to a host after routing, and subsets.
import { arr, obj, str, type Infer } from '../schema/dsl.js';
import { labels, WorkloadSelector } from '../common.js';
import { exportTo } from './messages.js';
import { TrafficPolicy } from './traffic-policy.js';

export const Subset = obj(
  { name: str(), labels: labels(), trafficPolicy: TrafficPolicy },
  { required: ['name'] },
);
export type Subset = Infer<typeof Subset>;

export const DestinationRule = obj(
  {
    host: str(),
    trafficPolicy: TrafficPolicy,
    subsets: arr(Subset),
    exportTo: exportTo(),
    workloadSelector: WorkloadSelector,
  },
  { required: ['host'] },
);
export type DestinationRule = Infer<typeof DestinationRule>;
