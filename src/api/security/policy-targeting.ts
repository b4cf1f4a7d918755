// How Istio policies pick workloads: `selector`, `targetRef` or `targetRefs` (istio.type.v1beta1),
// shared by AuthorizationPolicy, RequestAuthentication, Telemetry and WasmPlugin, with the checks of
// Istio's validateOneOfSelectorType / validatePolicyTargetReference / validateWorkloadSelector.
import { PolicyTargetReference, WorkloadSelector } from '../common.js';
import { arr, Schema, type Path, type Sink } from '../schema/dsl.js';

// Kinds a policy may attach to (group canonicalised: '' is "core").
const ATTACHABLE = [
  { group: 'core', kind: 'Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
] as const;

const TargetRef = PolicyTargetReference.refine((ref, path, sink) => {
  const group = ref.group || 'core';
  if (!ATTACHABLE.some((a) => a.group === group && a.kind === ref.kind))
    sink.error(
      path,
      `targetRef must be to one of ${ATTACHABLE.map((a) => `${a.group}/${a.kind}`).join(', ')} but was ${ref.group ?? ''}/${ref.kind ?? ''}`,
    );
});

/** WorkloadSelector with Istio's warning for a selector that has no labels. */
export const PolicySelector = WorkloadSelector.refine((s, path, sink) => {
  if (Object.keys(s.matchLabels ?? {}).length === 0)
    sink.warn(path, 'workload selector specified without labels');
});

/** The three targeting fields, to spread into a policy's spec fields. */
export const targetingFields = {
  selector: PolicySelector,
  targetRef: TargetRef,
  targetRefs: arr(TargetRef, { maxItems: 16 }),
};

type ObjectRule = (v: Record<string, unknown>, path: Path, sink: Sink) => void;

/**
 * An object schema plus a rule that runs even when some fields are invalid, the way a CRD's
 * object-level x-kubernetes-validations report alongside field errors.
 */
class WithObjectRule<T> extends Schema<T> {
  readonly typeName = 'object';
  constructor(
    private readonly inner: Schema<T>,
    private readonly rule: ObjectRule,
  ) {
    super();
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    const before = sink.issues.length;
    this.inner.check(v, path, sink);
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      this.rule(v as Record<string, unknown>, path, sink);
    return !sink.issues.slice(before).some((i) => i.severity === 'error');
  }
}

export function withObjectRule<T>(inner: Schema<T>, rule: ObjectRule): Schema<T> {
  return new WithObjectRule(inner, rule);
}

/** Presence as CEL's has(): the key is there and not null. */
export function has(v: Record<string, unknown>, key: string): boolean {
  return v[key] !== undefined && v[key] !== null;
}

/** A policy spec on which at most one of selector, targetRef and targetRefs may be set. */
export function targetedSpec<T>(inner: Schema<T>): Schema<T> {
  return withObjectRule(inner, (v, path, sink) => {
    const set = ['selector', 'targetRef', 'targetRefs'].filter((k) => has(v, k));
    if (set.length > 1)
      sink.error(path, `only one of targetRefs or selector can be set (got ${set.join(' and ')})`);
  });
}
