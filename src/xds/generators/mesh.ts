// The MeshConfig fields the xDS generators read, with Istio's defaults (istio.mesh.v1alpha1.MeshConfig).
import type { LocalityLbSetting } from '../../registry/specs.js';

export interface MeshConfig {
  /** Default upstream connect timeout (Istio default 10s). */
  connectTimeout: string;
  outboundTrafficPolicy: { mode: 'ALLOW_ANY' | 'REGISTRY_ONLY' };
  /** '' disables access logs; '/dev/stdout' is the usual setting. */
  accessLogFile: string;
  /** Envoy format string; '' means Istio's default text format. */
  accessLogFormat: string;
  accessLogEncoding: 'TEXT' | 'JSON';
  enableAutoMtls: boolean;
  rootNamespace: string;
  trustDomain: string;
  defaultServiceExportTo: string[];
  defaultVirtualServiceExportTo: string[];
  defaultDestinationRuleExportTo: string[];
  localityLbSetting?: LocalityLbSetting;
}

export function defaultMeshConfig(): MeshConfig {
  return {
    connectTimeout: '10s',
    outboundTrafficPolicy: { mode: 'ALLOW_ANY' },
    accessLogFile: '',
    accessLogFormat: '',
    accessLogEncoding: 'TEXT',
    enableAutoMtls: true,
    rootNamespace: 'istio-system',
    trustDomain: 'cluster.local',
    defaultServiceExportTo: ['*'],
    defaultVirtualServiceExportTo: ['*'],
    defaultDestinationRuleExportTo: ['*'],
  };
}
