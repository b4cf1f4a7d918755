// The MeshConfig fields the xDS generators read, resolved once per push from the user's mesh config
// over Istio's defaults (src/api/meshconfig.ts, istio.mesh.v1alpha1.MeshConfig).
import { defaultMeshConfig, type MeshConfig as MeshConfigInput } from '../../api/meshconfig.js';
import type { LocalityLbSetting } from '../../registry/specs.js';

export type { MeshConfigInput };

export interface MeshConfig {
  connectTimeout: string;
  outboundTrafficPolicy: { mode: 'ALLOW_ANY' | 'REGISTRY_ONLY' };
  /** '' disables access logs. */
  accessLogFile: string;
  /** Envoy format string; '' means Envoy's default format. */
  accessLogFormat: string;
  enableAutoMtls: boolean;
  rootNamespace: string;
  trustDomain: string;
  trustDomainAliases: string[];
  /** ext_authz and other providers CUSTOM AuthorizationPolicies name. */
  extensionProviders: NonNullable<MeshConfigInput['extensionProviders']>;
  defaultServiceExportTo: string[];
  defaultVirtualServiceExportTo: string[];
  defaultDestinationRuleExportTo: string[];
  localityLbSetting?: LocalityLbSetting;
  /** defaultConfig.gatewayTopology.forwardClientCertDetails: XFCC handling at gateways. */
  gatewayForwardClientCertDetails: string;
  /** Mixer policy checks off (the MeshConfig proto default is false; Istio 1.1's Helm set true). */
  disablePolicyChecks: boolean;
  /** A policy check that cannot be made lets the request through. */
  policyCheckFailOpen: boolean;
}

/** User mesh config over Istio's defaults, narrowed to what generation needs. */
export function resolveMeshConfig(user: Partial<MeshConfigInput> = {}): MeshConfig {
  const m = { ...defaultMeshConfig(), ...user };
  const locality = m.localityLbSetting as LocalityLbSetting | undefined;
  return {
    connectTimeout: m.connectTimeout ?? '10s',
    outboundTrafficPolicy: {
      mode: m.outboundTrafficPolicy?.mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY',
    },
    accessLogFile: m.accessLogFile ?? '',
    accessLogFormat: m.accessLogFormat ?? '',
    enableAutoMtls: m.enableAutoMtls ?? true,
    rootNamespace: m.rootNamespace ?? 'istio-system',
    trustDomain: m.trustDomain ?? 'cluster.local',
    trustDomainAliases: m.trustDomainAliases ?? [],
    extensionProviders: m.extensionProviders ?? [],
    defaultServiceExportTo: m.defaultServiceExportTo ?? ['*'],
    defaultVirtualServiceExportTo: m.defaultVirtualServiceExportTo ?? ['*'],
    defaultDestinationRuleExportTo: m.defaultDestinationRuleExportTo ?? ['*'],
    gatewayForwardClientCertDetails:
      m.defaultConfig?.gatewayTopology?.forwardClientCertDetails ?? 'SANITIZE_SET',
    disablePolicyChecks: m.disablePolicyChecks ?? false,
    policyCheckFailOpen: m.policyCheckFailOpen ?? false,
    // Istio's default `{enabled: true}` alone changes nothing; only rules do.
    ...(locality?.distribute?.length || locality?.failover?.length || locality?.enabled === false
      ? { localityLbSetting: locality }
      : {}),
  };
}
