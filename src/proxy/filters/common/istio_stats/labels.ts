// Istio's standard metric labels, in the order Istio's stats filter emits them, from what one
// request or connection knows: the reporter, this workload, the peer (metadata exchange), the
// mTLS principals and the destination service. Pure: computed once per distinct label set.
import type { Tags } from '../../../stats/store.js';
import { parseClusterName } from '../../../../xds/generators/common.js';
import type { WorkloadMetadata } from './workload-metadata.js';

/** destination: the server side of a sidecar (inbound); source: outbound and gateways. */
export type Reporter = 'source' | 'destination';

export interface DestinationService {
  /** destination_service, e.g. advertisement.weather.svc.cluster.local */
  readonly host: string;
  /** destination_service_name, e.g. advertisement */
  readonly name: string;
}

/** Clusters whose name is the service name (Istio reports them so). */
export const SPECIAL_CLUSTERS: ReadonlySet<string> = new Set([
  'BlackHoleCluster',
  'PassthroughCluster',
  'InboundPassthroughCluster',
  'InboundPassthroughClusterIpv4',
  'InboundPassthroughClusterIpv6',
]);

const K8S_SERVICE = /^([^.]+)\.[^.]+\.svc\./;

/**
 * The service an Istio cluster (`outbound|80|v1|advertisement.weather.svc.cluster.local`, its
 * inbound twin or SNI form) stands for; what Istio reads from the cluster's `istio.services`
 * metadata: a Kubernetes service's name, or the ServiceEntry host itself.
 */
export function serviceOfCluster(cluster: string): DestinationService | undefined {
  const key = parseClusterName(cluster);
  if (!key) return undefined;
  return { host: key.host, name: K8S_SERVICE.exec(key.host)?.[1] ?? key.host };
}

export interface LabelInput {
  reporter: Reporter;
  local: WorkloadMetadata;
  /** the other side's metadata, when metadata exchange found it */
  peer: WorkloadMetadata | undefined;
  /** URI SANs of the TLS connection ('' without): peer and local certificate */
  peerSan: string;
  localSan: string;
  service: DestinationService;
  protocol: 'http' | 'grpc' | 'tcp';
  /** HTTP only */
  responseCode?: number;
  /** gRPC only: grpc-status, undefined when the response had none */
  grpcStatus?: number;
  /** Envoy's short form, '-' when none */
  responseFlags: string;
}

const NS = '/ns/';

/** The namespace of a SPIFFE principal `<td>/ns/<ns>/sa/<sa>`. */
function namespaceOf(principal: string): string {
  const i = principal.indexOf(NS);
  if (i < 0) return '';
  const start = i + NS.length;
  const end = principal.indexOf('/', start);
  return principal.slice(start, end < 0 ? undefined : end);
}

const or = (v: string | undefined, dflt: string): string => (v ? v : dflt);

export function istioLabels(i: LabelInput): Tags {
  const { local, peer, service } = i;
  const peerNs = or(namespaceOf(i.peerSan), peer?.namespace ?? '');
  const tags: [string, string][] = [['reporter', i.reporter]];
  const add = (k: string, v: string): number => tags.push([k, v]);
  if (i.reporter === 'destination') {
    add('source_workload', or(peer?.workloadName, 'unknown'));
    add('source_canonical_service', or(peer?.canonicalService, 'unknown'));
    add('source_canonical_revision', or(peer?.canonicalRevision, 'latest'));
    add('source_workload_namespace', or(peerNs, 'unknown'));
    add('source_principal', or(i.peerSan, 'unknown'));
    add('source_app', or(peer?.app, 'unknown'));
    add('source_version', or(peer?.version, 'unknown'));
    add('source_cluster', or(peer?.clusterId, 'unknown'));
    add('destination_workload', local.workloadName);
    add('destination_workload_namespace', local.namespace);
    add('destination_principal', or(i.localSan, 'unknown'));
    add('destination_app', local.app);
    add('destination_version', local.version);
    add('destination_service', or(service.host, local.canonicalService));
    add('destination_canonical_service', local.canonicalService);
    add('destination_canonical_revision', local.canonicalRevision);
    add('destination_service_name', or(service.name, local.canonicalService));
    add('destination_service_namespace', local.namespace);
    add('destination_cluster', local.clusterId);
  } else {
    add('source_workload', local.workloadName);
    add('source_canonical_service', local.canonicalService);
    add('source_canonical_revision', local.canonicalRevision);
    add('source_workload_namespace', local.namespace);
    add('source_principal', or(i.localSan, 'unknown'));
    add('source_app', local.app);
    add('source_version', local.version);
    add('source_cluster', local.clusterId);
    add('destination_workload', or(peer?.workloadName, 'unknown'));
    add('destination_workload_namespace', or(peerNs, 'unknown'));
    add('destination_principal', or(i.peerSan, 'unknown'));
    add('destination_app', or(peer?.app, 'unknown'));
    add('destination_version', or(peer?.version, 'unknown'));
    add('destination_service', or(service.host, 'unknown'));
    add('destination_canonical_service', or(peer?.canonicalService, 'unknown'));
    add('destination_canonical_revision', or(peer?.canonicalRevision, 'latest'));
    add('destination_service_name', or(service.name, 'unknown'));
    add('destination_service_namespace', or(peerNs, 'unknown'));
    add('destination_cluster', or(peer?.clusterId, 'unknown'));
  }
  add('request_protocol', i.protocol);
  if (i.protocol !== 'tcp') {
    add('response_code', String(i.responseCode ?? 0));
    add('grpc_response_status', i.grpcStatus === undefined ? '' : String(i.grpcStatus));
  }
  add('response_flags', i.responseFlags);
  // Only the server side knows whether its peer authenticated with a certificate.
  add(
    'connection_security_policy',
    i.reporter === 'source' ? 'unknown' : i.peerSan && i.localSan ? 'mutual_tls' : 'none',
  );
  return tags;
}
