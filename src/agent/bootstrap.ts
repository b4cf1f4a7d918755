// The proxy's bootstrap, rendered by the agent as pilot-agent renders envoy-rev<epoch>.json:
// the node (id and the metadata Istio's agent sends), admin on loopback, ADS through the
// `xds-grpc` cluster and SDS through `sds-grpc` (the agent's socket).
import { join } from 'node:path';
import type { AgentConfig } from './config.js';

/** The Istio release whose agent behaviour Weft follows (ISTIO_VERSION in the node metadata). */
export const ISTIO_VERSION = '1.1.0';

export function sdsSocketPath(cfg: Pick<AgentConfig, 'workDir'>): string {
  return join(cfg.workDir, 'sds.sock');
}

/** `sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local` (`router~…` for gateways). */
export function nodeId(cfg: AgentConfig): string {
  return `${cfg.type}~${cfg.podIp}~${cfg.podName}.${cfg.namespace}~${cfg.namespace}.svc.cluster.local`;
}

/** Node metadata with Istio's field names (pkg/model NodeMetadata), as the agent fills them. */
export function nodeMetadata(cfg: AgentConfig): Record<string, unknown> {
  return {
    ISTIO_VERSION,
    NAME: cfg.podName,
    NAMESPACE: cfg.namespace,
    CONFIG_NAMESPACE: cfg.namespace,
    LABELS: cfg.labels,
    ANNOTATIONS: cfg.annotations,
    SERVICE_ACCOUNT: cfg.serviceAccount,
    WORKLOAD_NAME: cfg.workloadName,
    OWNER: cfg.owner,
    INSTANCE_IPS: cfg.podIp,
    INTERCEPTION_MODE: cfg.interceptionMode,
    CLUSTER_ID: cfg.clusterId,
    MESH_ID: cfg.trustDomain,
    APP_CONTAINERS: cfg.appContainers.join(','),
    POD_PORTS: JSON.stringify(cfg.podPorts),
    ENVOY_STATUS_PORT: cfg.readinessPort,
    ENVOY_PROMETHEUS_PORT: 15090,
    PILOT_SAN: ['istiod.istio-system.svc'],
  };
}

const staticCluster = (name: string, address: object): object => ({
  name,
  type: 'STATIC',
  connect_timeout: '1s',
  http2_protocol_options: {},
  load_assignment: {
    cluster_name: name,
    endpoints: [{ lb_endpoints: [{ endpoint: { address } }] }],
  },
});

export function renderBootstrap(cfg: AgentConfig): object {
  const [xdsHost, xdsPort] = splitHostPort(cfg.xdsAddress);
  const ads = { ads: {}, resource_api_version: 'V3' };
  return {
    node: {
      id: nodeId(cfg),
      cluster: `${cfg.labels.app ?? cfg.workloadName}.${cfg.namespace}`,
      metadata: nodeMetadata(cfg),
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: cfg.adminPort } } },
    dynamic_resources: {
      lds_config: ads,
      cds_config: ads,
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }],
      },
    },
    static_resources: {
      clusters: [
        staticCluster('xds-grpc', { socket_address: { address: xdsHost, port_value: xdsPort } }),
        staticCluster('sds-grpc', { pipe: { path: sdsSocketPath(cfg) } }),
      ],
    },
  };
}

function splitHostPort(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i), Number(a.slice(i + 1))];
}
