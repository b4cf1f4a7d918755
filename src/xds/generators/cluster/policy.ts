// DestinationRule traffic policy selection (Istio MergeTrafficPolicy): the subset's policy over
// the rule's, and port-level settings over both, each sub-policy replaced as a whole.
import type { DestinationRuleSpec, TrafficPolicy, TrafficPolicyCore } from '../../../registry/specs.js';

const FIELDS = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'] as const;

function forPort(policy: TrafficPolicy | undefined, port: number): TrafficPolicyCore {
  if (!policy) return {};
  const out: TrafficPolicyCore = {};
  for (const f of FIELDS) if (policy[f]) Object.assign(out, { [f]: policy[f] });
  const portLevel = policy.portLevelSettings?.find((p) => p.port?.number === port);
  if (portLevel) for (const f of FIELDS) if (portLevel[f]) Object.assign(out, { [f]: portLevel[f] });
  return out;
}

/** The effective policy for one cluster: rule-level, then the subset's, each with port overrides. */
export function effectivePolicy(
  rule: DestinationRuleSpec | undefined,
  port: number,
  subset?: string,
): TrafficPolicyCore {
  const base = forPort(rule?.trafficPolicy, port);
  const sub = subset ? rule?.subsets?.find((s) => s.name === subset)?.trafficPolicy : undefined;
  return { ...base, ...forPort(sub, port) };
}
