// Which targeted policies (AuthorizationPolicy, RequestAuthentication) apply to a workload
// (Istio model.WorkloadPolicyMatcher): those in the root namespace apply mesh-wide, the others to
// their namespace; `selector` labels must be a subset of the workload's; `targetRef(s)` attach a
// policy to a Kubernetes Gateway's workload only (the `gateway-name` label), never to a sidecar.

export interface WorkloadInfo {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

interface TargetRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface TargetedPolicy {
  namespace: string;
  spec: {
    selector?: { matchLabels?: Record<string, string> | null } | null;
    targetRef?: TargetRef | null;
    targetRefs?: TargetRef[] | null;
  };
}

export const DEFAULT_ROOT_NAMESPACE = 'istio-system';
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

export function labelsSubset(
  selector: Readonly<Record<string, string>> | null | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function targetRefs(p: TargetedPolicy): TargetRef[] {
  if (p.spec.targetRefs?.length) return p.spec.targetRefs;
  return p.spec.targetRef ? [p.spec.targetRef] : [];
}

/** Whether a policy (already known to be in scope by namespace) attaches to the workload. */
function attaches(p: TargetedPolicy, w: WorkloadInfo): boolean {
  const refs = targetRefs(p);
  const gateway = w.labels[GATEWAY_NAME_LABEL];
  if (refs.length === 0) return labelsSubset(p.spec.selector?.matchLabels, w.labels);
  if (gateway === undefined) return false;
  return refs.some(
    (r) =>
      p.namespace === w.namespace &&
      (!r.namespace || r.namespace === w.namespace) &&
      r.group === 'gateway.networking.k8s.io' &&
      r.kind === 'Gateway' &&
      r.name === gateway,
  );
}

/** The policies that apply to a workload: root namespace first, each namespace in input order. */
export function selectPolicies<T extends TargetedPolicy>(
  policies: readonly T[],
  workload: WorkloadInfo,
  rootNamespace = DEFAULT_ROOT_NAMESPACE,
): T[] {
  const namespaces = [...new Set([rootNamespace, workload.namespace])];
  return namespaces.flatMap((ns) => policies.filter((p) => p.namespace === ns && attaches(p, workload)));
}
