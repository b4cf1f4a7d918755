// The inbound mTLS mode of a workload port. PeerAuthentication (Istio ComposePeerAuthentication):
// mesh (root namespace, no selector) < namespace (no selector) < workload (selector) < the
// workload's portLevelMtls; UNSET inherits; the oldest policy of a level wins; default PERMISSIVE.
// Without any PeerAuthentication in scope, the Istio 1.1 Policy/MeshPolicy decide
// (AuthenticationPolicyByDestination): a Policy targeting the service (and port), else the
// namespace's target-less Policy, else MeshPolicy `default`; its first `peers[].mtls` gives the
// mode (STRICT when unset) and no mtls peer means plaintext.
import type { AuthnPolicy, PeerAuthentication } from '../../api/security/index.js';
import { DEFAULT_ROOT_NAMESPACE, labelsSubset, type WorkloadInfo } from '../select.js';

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

export interface PeerAuthenticationConfig {
  name: string;
  namespace: string;
  /** Milliseconds since the epoch; older policies win ties within a level. */
  creationTime?: number;
  spec: PeerAuthentication;
}

/** An Istio 1.1 `Policy` (namespaced) or `MeshPolicy` (no namespace). */
export interface AuthnPolicyConfig {
  kind: 'Policy' | 'MeshPolicy';
  name: string;
  namespace?: string;
  spec: AuthnPolicy;
}

export interface MtlsConfig {
  peerAuthentications?: readonly PeerAuthenticationConfig[];
  authnPolicies?: readonly AuthnPolicyConfig[];
  rootNamespace?: string;
}

/** The service port behind an inbound port, for Istio 1.1 targets (matched by name and port). */
export interface ServicePortRef {
  /** Short name of the Kubernetes service. */
  name: string;
  namespace: string;
  port: number;
  portName?: string;
}

export interface InboundPort {
  /** The workload (endpoint / target) port; PeerAuthentication portLevelMtls keys use it. */
  port: number;
  service?: ServicePortRef;
}

/** Where a mode came from, for reports such as `weft authn tls-check`. */
export interface MtlsDecision {
  mode: MtlsMode;
  /** `name/namespace` of the deciding policy (MeshPolicy: `name/`), or '-' for the default. */
  policy: string;
  /** The deciding policy; absent for the default. */
  source?: { kind: 'PeerAuthentication' | AuthnPolicyConfig['kind']; name: string; namespace?: string };
}

type PaMode = NonNullable<NonNullable<PeerAuthentication['mtls']>['mode']>;
const isSet = (m: PaMode | undefined): m is MtlsMode => m !== undefined && m !== 'UNSET';

function oldest(list: readonly PeerAuthenticationConfig[]): PeerAuthenticationConfig | undefined {
  return [...list].sort((a, b) => (a.creationTime ?? 0) - (b.creationTime ?? 0))[0];
}

const hasSelector = (p: PeerAuthenticationConfig) =>
  Object.keys(p.spec.selector?.matchLabels ?? {}).length > 0;

const decidedBy = (p: PeerAuthenticationConfig): Omit<MtlsDecision, 'mode'> => ({
  policy: `${p.name}/${p.namespace}`,
  source: { kind: 'PeerAuthentication', name: p.name, namespace: p.namespace },
});

function fromPeerAuthentication(
  pas: readonly PeerAuthenticationConfig[],
  w: WorkloadInfo,
  port: number,
  root: string,
): MtlsDecision | undefined {
  const mesh = oldest(pas.filter((p) => p.namespace === root && !hasSelector(p)));
  const ns = oldest(
    pas.filter((p) => p.namespace === w.namespace && p.namespace !== root && !hasSelector(p)),
  );
  const workload = oldest(
    pas.filter(
      (p) =>
        p.namespace === w.namespace &&
        p.namespace !== root &&
        hasSelector(p) &&
        labelsSubset(p.spec.selector?.matchLabels, w.labels),
    ),
  );
  if (!mesh && !ns && !workload) return undefined;
  let decision: MtlsDecision = { mode: 'PERMISSIVE', policy: '-' };
  for (const p of [mesh, ns, workload]) {
    const mode = p?.spec.mtls?.mode;
    if (p && isSet(mode)) decision = { mode, ...decidedBy(p) };
  }
  const portMode = workload?.spec.portLevelMtls?.[String(port)];
  // A port entry with UNSET keeps the workload's mode.
  if (workload && portMode && isSet(portMode.mode))
    decision = { mode: portMode.mode, ...decidedBy(workload) };
  return decision;
}

function targets(p: AuthnPolicyConfig, s: ServicePortRef): boolean {
  return (p.spec.targets ?? []).some(
    (t) =>
      t.name === s.name &&
      (!t.ports?.length ||
        t.ports.some((sel) => sel.number === s.port || (!!sel.name && sel.name === s.portName))),
  );
}

/** The 1.1 policy for a service port: targeted Policy, else namespace default, else MeshPolicy default. */
export function authnPolicyFor(
  policies: readonly AuthnPolicyConfig[],
  s: ServicePortRef,
): AuthnPolicyConfig | undefined {
  const inNs = policies.filter((p) => p.kind === 'Policy' && p.namespace === s.namespace);
  return (
    inNs.find((p) => targets(p, s)) ??
    inNs.find((p) => !p.spec.targets?.length) ??
    policies.find((p) => p.kind === 'MeshPolicy' && p.name === 'default')
  );
}

/** The peer mTLS mode a 1.1 policy asks for (Istio 1.1 GetMutualTLS). */
export function v1alpha1PeerMode(spec: AuthnPolicy): MtlsMode {
  const peer = spec.peers?.find((p) => p.mtls !== undefined);
  if (!peer) return 'DISABLE';
  return peer.mtls?.mode === 'PERMISSIVE' ? 'PERMISSIVE' : 'STRICT';
}

/** The mode and the policy that decided it. */
export function resolveMtls(config: MtlsConfig, workload: WorkloadInfo, inbound: InboundPort): MtlsDecision {
  const root = config.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const pa = fromPeerAuthentication(config.peerAuthentications ?? [], workload, inbound.port, root);
  if (pa) return pa;
  const policy = inbound.service && authnPolicyFor(config.authnPolicies ?? [], inbound.service);
  if (policy)
    return {
      mode: v1alpha1PeerMode(policy.spec),
      policy: `${policy.name}/${policy.namespace ?? ''}`,
      source: {
        kind: policy.kind,
        name: policy.name,
        ...(policy.namespace && { namespace: policy.namespace }),
      },
    };
  return { mode: 'PERMISSIVE', policy: '-' };
}

/** The inbound mTLS mode for one workload port (what generators call per inbound filter chain). */
export function resolveMtlsMode(config: MtlsConfig, workload: WorkloadInfo, inbound: InboundPort): MtlsMode {
  return resolveMtls(config, workload, inbound).mode;
}
