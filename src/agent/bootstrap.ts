// The proxy's bootstrap, rendered by the agent as pilot-agent renders envoy-rev<epoch>.json:
// the node (id and the metadata Istio's agent sends), admin on loopback, ADS through the
// `xds-grpc` cluster and SDS through `sds-grpc` (the agent's socket), and the Prometheus
// listener on 15090 that serves admin's /stats/prometheus through `prometheus_stats`.
import { join } from 'node:path';
import type { AgentConfig } from './config.js';

/** The Istio release whose agent behaviour Weft follows (ISTIO_VERSION in the node metadata). */
export const ISTIO_VERSION = '1.1.0';

/** Envoy's Prometheus port (ENVOY_PROMETHEUS_PORT), on every interface of the pod. */
export const PROMETHEUS_PORT = 15090;

const CANONICAL_NAME = 'service.istio.io/canonical-name';
const CANONICAL_REVISION = 'service.istio.io/canonical-revision';

/**
 * The pod's labels plus the canonical service labels Istio's injector adds when absent (from
 * the app name and version labels, else the workload name and "latest"): the stats filter
 * reports them as the canonical service and revision.
 */
export function labelsWithCanonical(
  cfg: Pick<AgentConfig, 'labels' | 'workloadName'>,
): Record<string, string> {
  const l = cfg.labels;
  return {
    ...l,
    [CANONICAL_NAME]: l[CANONICAL_NAME] ?? l['app.kubernetes.io/name'] ?? l.app ?? cfg.workloadName,
    [CANONICAL_REVISION]: l[CANONICAL_REVISION] ?? l['app.kubernetes.io/version'] ?? l.version ?? 'latest',
  };
}

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
    LABELS: labelsWithCanonical(cfg),
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
    ENVOY_PROMETHEUS_PORT: PROMETHEUS_PORT,
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

/** Istio's bootstrap listener: GET /stats/prometheus on 15090 → the admin API, nothing else. */
function prometheusListener(): object {
  return {
    name: 'prometheus_stats',
    address: { socket_address: { address: '0.0.0.0', port_value: PROMETHEUS_PORT } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type':
                'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              codec_type: 'AUTO',
              stat_prefix: 'stats',
              route_config: {
                virtual_hosts: [
                  {
                    name: 'backend',
                    domains: ['*'],
                    routes: [
                      { match: { prefix: '/stats/prometheus' }, route: { cluster: 'prometheus_stats' } },
                    ],
                  },
                ],
              },
              http_filters: [
                {
                  name: 'envoy.filters.http.router',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                  },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

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
      listeners: [prometheusListener()],
      clusters: [
        staticCluster('xds-grpc', { socket_address: { address: xdsHost, port_value: xdsPort } }),
        staticCluster('sds-grpc', { pipe: { path: sdsSocketPath(cfg) } }),
        {
          name: 'prometheus_stats',
          type: 'STATIC',
          connect_timeout: '0.250s',
          load_assignment: {
            cluster_name: 'prometheus_stats',
            endpoints: [
              {
                lb_endpoints: [
                  {
                    endpoint: {
                      address: { socket_address: { address: '127.0.0.1', port_value: cfg.adminPort } },
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  };
}

function splitHostPort(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i), Number(a.slice(i + 1))];
}
