// DestinationRule (networking.istio.io): policies for traffic to a host after routing, and subsets.
import { arr, map, obj, str, type Infer } from '../schema/dsl.js';
import { WorkloadSelector, wildcardDomainError } from '../common.js';

import { exportTo } from './messages.js';
import { checkLabelMap, checkSubsetName } from './rules.js';
import { TrafficPolicy } from './traffic-policy.js';

export const Subset = obj(
  { name: str(), labels: map(str()), trafficPolicy: TrafficPolicy },
  { required: ['name'] },
).refine((s, path, sink) => {
  checkSubsetName(s.name ?? '', [...path, 'name'], sink);
  checkLabelMap(s.labels, [...path, 'labels'], sink);
});
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
).refine((dr, path, sink) => {
  const e = wildcardDomainError(dr.host ?? '');
  if (e) sink.error([...path, 'host'], e);
  const names = new Set<string>();
  (dr.subsets ?? []).forEach((s, i) => {
    if (s.name === undefined) return;
    if (names.has(s.name)) sink.error([...path, 'subsets', i, 'name'], `duplicate subset names: ${s.name}`);
    names.add(s.name);
  });
});
export type DestinationRule = Infer<typeof DestinationRule>;
