// Mixer's attribute vocabulary (Istio 1.1 attributemanifests "istio-proxy" and "kubernetes")
// and the value types of istio.policy.v1beta1.ValueType that expressions are checked against.

export const VALUE_TYPES = [
  'STRING',
  'INT64',
  'DOUBLE',
  'BOOL',
  'TIMESTAMP',
  'IP_ADDRESS',
  'EMAIL_ADDRESS',
  'URI',
  'DNS_NAME',
  'DURATION',
  'STRING_MAP',
] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Attribute name → value type. A manifest may extend it (attributemanifest kind). */
export type AttributeVocabulary = ReadonlyMap<string, ValueType>;

const PROXY: Record<string, ValueType> = {
  'origin.ip': 'IP_ADDRESS',
  'origin.uid': 'STRING',
  'origin.user': 'STRING',
  'request.headers': 'STRING_MAP',
  'request.id': 'STRING',
  'request.host': 'STRING',
  'request.method': 'STRING',
  'request.path': 'STRING',
  'request.url_path': 'STRING',
  'request.query_params': 'STRING_MAP',
  'request.reason': 'STRING',
  'request.referer': 'STRING',
  'request.scheme': 'STRING',
  'request.total_size': 'INT64',
  'request.size': 'INT64',
  'request.time': 'TIMESTAMP',
  'request.useragent': 'STRING',
  'response.code': 'INT64',
  'response.duration': 'DURATION',
  'response.headers': 'STRING_MAP',
  'response.total_size': 'INT64',
  'response.size': 'INT64',
  'response.time': 'TIMESTAMP',
  'response.grpc_status': 'STRING',
  'response.grpc_message': 'STRING',
  'source.uid': 'STRING',
  'source.user': 'STRING',
  'source.principal': 'STRING',
  'destination.uid': 'STRING',
  'destination.principal': 'STRING',
  'destination.port': 'INT64',
  'connection.event': 'STRING',
  'connection.id': 'STRING',
  'connection.received.bytes': 'INT64',
  'connection.received.bytes_total': 'INT64',
  'connection.sent.bytes': 'INT64',
  'connection.sent.bytes_total': 'INT64',
  'connection.duration': 'DURATION',
  'connection.mtls': 'BOOL',
  'connection.requested_server_name': 'STRING',
  'context.protocol': 'STRING',
  'context.proxy_error_code': 'STRING',
  'context.timestamp': 'TIMESTAMP',
  'context.time': 'TIMESTAMP',
  'context.reporter.local': 'BOOL',
  'context.reporter.kind': 'STRING',
  'context.reporter.uid': 'STRING',
  'api.service': 'STRING',
  'api.version': 'STRING',
  'api.operation': 'STRING',
  'api.protocol': 'STRING',
  'request.auth.principal': 'STRING',
  'request.auth.audiences': 'STRING',
  'request.auth.presenter': 'STRING',
  'request.auth.claims': 'STRING_MAP',
  'request.auth.raw_claims': 'STRING',
  'request.api_key': 'STRING',
  'rbac.permissive.response_code': 'STRING',
  'rbac.permissive.effective_policy_id': 'STRING',
  'check.error_code': 'INT64',
  'check.error_message': 'STRING',
  'check.cache_hit': 'BOOL',
  'quota.cache_hit': 'BOOL',
};

const KUBERNETES: Record<string, ValueType> = {
  'source.ip': 'IP_ADDRESS',
  'source.labels': 'STRING_MAP',
  'source.metadata': 'STRING_MAP',
  'source.name': 'STRING',
  'source.namespace': 'STRING',
  'source.owner': 'STRING',
  'source.serviceAccount': 'STRING',
  'source.services': 'STRING',
  'source.workload.uid': 'STRING',
  'source.workload.name': 'STRING',
  'source.workload.namespace': 'STRING',
  'destination.ip': 'IP_ADDRESS',
  'destination.labels': 'STRING_MAP',
  'destination.metadata': 'STRING_MAP',
  'destination.owner': 'STRING',
  'destination.name': 'STRING',
  'destination.container.name': 'STRING',
  'destination.namespace': 'STRING',
  'destination.service.uid': 'STRING',
  'destination.service.name': 'STRING',
  'destination.service.namespace': 'STRING',
  'destination.service.host': 'STRING',
  'destination.serviceAccount': 'STRING',
  'destination.workload.uid': 'STRING',
  'destination.workload.name': 'STRING',
  'destination.workload.namespace': 'STRING',
};

/** The vocabulary Istio 1.1 installs by default (both manifests in istio-system). */
export const DEFAULT_VOCABULARY: AttributeVocabulary = new Map(
  Object.entries({ ...PROXY, ...KUBERNETES }) as [string, ValueType][],
);

/** A vocabulary extended with the attributes of attributemanifest resources. */
export function extendVocabulary(
  base: AttributeVocabulary,
  more: Iterable<readonly [string, ValueType]>,
): AttributeVocabulary {
  return new Map([...base, ...more]);
}
