// Sidecar (networking.istio.io): scopes a workload's proxy — inbound listeners, the egress hosts it
// can reach, and its outbound traffic policy.
import { arr, enumOf, obj, str, uint32, type Infer } from '../schema/dsl.js';
import { labels } from '../common.js';
import { Destination } from './messages.js';
import { ServerTLSSettings } from './tls.js';
import { ConnectionPoolSettings } from './traffic-policy.js';

export const CAPTURE_MODES = ['DEFAULT', 'IPTABLES', 'NONE'] as const;

export const SidecarPort = obj({ number: uint32(), protocol: str(), name: str(), targetPort: uint32() });
export type SidecarPort = Infer<typeof SidecarPort>;

export const IstioIngressListener = obj(
  {
    port: SidecarPort,
    bind: str(),
    captureMode: enumOf(CAPTURE_MODES),
    defaultEndpoint: str(),
    tls: ServerTLSSettings,
    connectionPool: ConnectionPoolSettings,
  },
  { required: ['port'] },
);
export type IstioIngressListener = Infer<typeof IstioIngressListener>;

export const IstioEgressListener = obj(
  { port: SidecarPort, bind: str(), captureMode: enumOf(CAPTURE_MODES), hosts: arr(str()) },
  { required: ['hosts'] },
);
export type IstioEgressListener = Infer<typeof IstioEgressListener>;

export const OutboundTrafficPolicy = obj({
  mode: enumOf(['REGISTRY_ONLY', 'ALLOW_ANY']),
  egressProxy: Destination,
});
export type OutboundTrafficPolicy = Infer<typeof OutboundTrafficPolicy>;

export const Sidecar = obj({
  workloadSelector: obj({ labels: labels() }),
  ingress: arr(IstioIngressListener),
  egress: arr(IstioEgressListener),
  inboundConnectionPool: ConnectionPoolSettings,
  outboundTrafficPolicy: OutboundTrafficPolicy,
});
export type Sidecar = Infer<typeof Sidecar>;
