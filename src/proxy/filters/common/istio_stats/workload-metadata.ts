// Istio's workload metadata, the part its stats read: the proxy's own, from the bootstrap node
// metadata, and a peer's, from the x-envoy-peer-metadata header (base64 of a serialized
// google.protobuf.Struct with the node metadata's field names), decoded once per header value.
import { structToPlain, type Msg } from '../../../config/proto.js';
import { lookupType } from '../../../../xds/proto/root.js';

export interface WorkloadMetadata {
  /** NAME: the pod */
  readonly instanceName: string;
  readonly namespace: string;
  readonly workloadName: string;
  readonly app: string;
  readonly version: string;
  readonly canonicalService: string;
  readonly canonicalRevision: string;
  readonly clusterId: string;
  readonly meshId: string;
  readonly serviceAccount: string;
  readonly owner: string;
}

const CANONICAL_NAME = 'service.istio.io/canonical-name';
const CANONICAL_REVISION = 'service.istio.io/canonical-revision';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Plain node metadata (NAME, NAMESPACE, WORKLOAD_NAME, LABELS, CLUSTER_ID, …) → the fields stats use. */
export function workloadFromMetadata(m: Record<string, unknown>): WorkloadMetadata {
  const labels = (typeof m.LABELS === 'object' && m.LABELS ? m.LABELS : {}) as Record<string, unknown>;
  return {
    instanceName: str(m.NAME),
    namespace: str(m.NAMESPACE),
    workloadName: str(m.WORKLOAD_NAME),
    app: str(labels.app) || str(labels['app.kubernetes.io/name']),
    version: str(labels.version) || str(labels['app.kubernetes.io/version']),
    canonicalService: str(labels[CANONICAL_NAME]),
    canonicalRevision: str(labels[CANONICAL_REVISION]),
    clusterId: str(m.CLUSTER_ID),
    meshId: str(m.MESH_ID),
    serviceAccount: str(m.SERVICE_ACCOUNT),
    owner: str(m.OWNER),
  };
}

/** The bootstrap node (metadata as a decoded Struct) → this proxy's workload metadata. */
export function localWorkload(node: Msg): WorkloadMetadata {
  return workloadFromMetadata(structToPlain(node.metadata));
}

const STRUCT = 'google.protobuf.Struct';

/** The x-envoy-peer-metadata value this proxy sends: a deterministic (sorted) Struct, base64. */
export function encodePeerMetadata(w: WorkloadMetadata): string {
  const labels: Record<string, string> = {};
  if (w.app) labels.app = w.app;
  if (w.version) labels.version = w.version;
  if (w.canonicalService) labels[CANONICAL_NAME] = w.canonicalService;
  if (w.canonicalRevision) labels[CANONICAL_REVISION] = w.canonicalRevision;
  const top: Record<string, string | Record<string, string>> = {
    CLUSTER_ID: w.clusterId,
    LABELS: labels,
    MESH_ID: w.meshId,
    NAME: w.instanceName,
    NAMESPACE: w.namespace,
    OWNER: w.owner,
    SERVICE_ACCOUNT: w.serviceAccount,
    WORKLOAD_NAME: w.workloadName,
  };
  const value = (v: string | Record<string, string>): Msg =>
    typeof v === 'string' ? { stringValue: v } : { structValue: fields(v) };
  const fields = (o: Record<string, string | Record<string, string>>): Msg => ({
    fields: Object.fromEntries(
      Object.keys(o)
        .filter((k) => o[k] !== '')
        .sort()
        .map((k) => [k, value(o[k]!)]),
    ),
  });
  const t = lookupType(STRUCT);
  return Buffer.from(t.encode(t.fromObject(fields(top))).finish()).toString('base64');
}

// Peers are few and their header values stable, so decoded metadata is kept by header value;
// a full cache drops its oldest quarter (Istio's MX cache does the same).
const MAX_CACHED_PEERS = 1024;
const peers = new Map<string, WorkloadMetadata | null>();

/** x-envoy-peer-metadata → workload metadata (undefined when it does not decode). */
export function decodePeerMetadata(header: string): WorkloadMetadata | undefined {
  let w = peers.get(header);
  if (w === undefined) {
    try {
      const t = lookupType(STRUCT);
      w = workloadFromMetadata(structToPlain(t.toObject(t.decode(Buffer.from(header, 'base64')))));
    } catch {
      w = null;
    }
    if (peers.size >= MAX_CACHED_PEERS) {
      let drop = MAX_CACHED_PEERS / 4;
      for (const k of peers.keys()) {
        peers.delete(k);
        if (--drop === 0) break;
      }
    }
    peers.set(header, w);
  }
  return w ?? undefined;
}
