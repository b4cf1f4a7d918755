// ProxyInfo from an Envoy Node, as Pilot reads it (pilot/pkg/model/context.go ParseServiceNodeWithMetadata):
// id `<type>~<ip>~<pod>.<ns>~<ns>.svc.cluster.local` plus the metadata Istio's agent sends.
import { structToPlain } from './proto/struct.js';
import type { ProxyInfo } from './contracts.js';

/** An Envoy Node as decoded from a DiscoveryRequest (metadata as plain JSON or as a Struct). */
export interface EnvoyNode {
  id?: string;
  cluster?: string;
  metadata?: unknown;
  locality?: { region?: string; zone?: string; sub_zone?: string; subZone?: string };
}

export class ProxyInfoError extends Error {}

/** Parses a node; throws ProxyInfoError with Pilot's wording when the id is malformed. */
export function parseProxyInfo(node: EnvoyNode): ProxyInfo {
  const id = node.id ?? '';
  const parts = id.split('~');
  if (parts.length !== 4) throw new ProxyInfoError(`missing parts in the service node ${JSON.stringify(id)}`);
  const [type, ip, podPart, dnsDomain] = parts as [string, string, string, string];
  if (type !== 'sidecar' && type !== 'router')
    throw new ProxyInfoError(
      `invalid node type (valid types: sidecar, router) in the service node ${JSON.stringify(id)}`,
    );
  const meta = toPlain(node.metadata) as Record<string, unknown>;
  const instanceIps =
    typeof meta.INSTANCE_IPS === 'string' ? meta.INSTANCE_IPS.split(',').filter(Boolean) : [];
  const ipAddresses = instanceIps.length > 0 ? instanceIps : ip ? [ip] : [];
  if (type === 'sidecar' && ipAddresses.length === 0)
    throw new ProxyInfoError(`no valid IP address in the service node id or metadata ${JSON.stringify(id)}`);
  const dot = podPart.indexOf('.');
  const podName = dot >= 0 ? podPart.slice(0, dot) : podPart;
  const namespace =
    stringOf(meta.NAMESPACE) ??
    (dot >= 0 ? podPart.slice(dot + 1) : undefined) ??
    dnsDomain.split('.')[0] ??
    'default';
  const labels = isRecord(meta.LABELS)
    ? (Object.fromEntries(Object.entries(meta.LABELS).map(([k, v]) => [k, String(v)])) as Record<
        string,
        string
      >)
    : {};
  const loc = node.locality;
  const locality = loc
    ? [loc.region ?? '', loc.zone ?? '', loc.sub_zone ?? loc.subZone ?? ''].join('/').replace(/\/+$/, '')
    : undefined;
  const serviceAccount = stringOf(meta.SERVICE_ACCOUNT);
  const workloadName = stringOf(meta.WORKLOAD_NAME);
  return {
    id,
    type,
    ipAddresses,
    podName: stringOf(meta.NAME) ?? podName,
    namespace,
    dnsDomain,
    labels,
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(workloadName ? { workloadName } : {}),
    ...(locality ? { locality } : {}),
    metadata: meta,
    proxyless: meta.GENERATOR === 'grpc',
  };
}

/** Proxyless gRPC clients subscribe to listeners named `<host>:<port>` (xds:///host:port targets). */
export function isProxylessListenerName(name: string): boolean {
  return /^[^:]+:\d+$/.test(name) && !name.startsWith('0.0.0.0');
}

/** The domain suffix from the node id's DNS domain, e.g. default.svc.cluster.local → cluster.local. */
export function domainSuffixOf(proxy: ProxyInfo): string {
  const i = proxy.dnsDomain.indexOf('.svc.');
  return i >= 0 ? proxy.dnsDomain.slice(i + 5) : 'cluster.local';
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** google.protobuf.Struct/Value (either spelling of field names) → plain JSON; plain JSON passes. */
function toPlain(v: unknown): unknown {
  if (!isRecord(v)) return v ?? {};
  if (isRecord(v.fields) && Object.keys(v).length === 1) return structToPlain(v);
  return v;
}
