// DestinationRule tls → UpstreamTlsContext with the SDS secret names Istio uses: "default" and
// "ROOTCA" for ISTIO_MUTUAL, "file-cert:<cert>~<key>" / "file-root:<ca>" for files, `kubernetes://<credentialName>` over ADS.
// Auto mTLS: endpoints labelled tlsMode=istio get ISTIO_MUTUAL through transport_socket_matches.
import type { ClientTLSSettings } from '../../../registry/specs.js';
import { Filters, struct, typed, Types } from '../common.js';
import { credentialCaResourceName, credentialResourceName, credentialSecretConfig } from '../secret/names.js';

/** The agent's SDS server, reached through the bootstrap's `sds-grpc` cluster (as in Istio). */
export const SDS_CONFIG = {
  api_config_source: {
    api_type: 'GRPC',
    transport_api_version: 'V3',
    set_node_on_first_message_only: true,
    grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }],
  },
  resource_api_version: 'V3',
} as const;

export const SDS_DEFAULT_CERT = 'default';
export const SDS_ROOT_CA = 'ROOTCA';

export const sdsSecret = (name: string): object => ({ name, sds_config: SDS_CONFIG });

/** ALPN Istio's client offers for mesh mTLS. */
export const MTLS_ALPN = ['istio-peer-exchange', 'istio'];

export interface TlsInput {
  tls: ClientTLSSettings | undefined;
  /** Identities the server may present (secure naming), for ISTIO_MUTUAL. */
  serviceAccounts: readonly string[];
  /** outbound_.<port>_.<subset>_.<host> */
  defaultSni: string;
  http2: boolean;
}

/** transport_socket for an explicit DestinationRule tls mode, or undefined (plaintext). */
export function upstreamTransportSocket(input: TlsInput): object | undefined {
  const tls = input.tls;
  if (!tls || !tls.mode || tls.mode === 'DISABLE') return undefined;
  if (tls.mode === 'ISTIO_MUTUAL')
    return istioMutualSocket(
      input.serviceAccounts,
      tls.sni ?? input.defaultSni,
      input.http2,
      tls.subjectAltNames,
    );
  const common: Record<string, unknown> = {};
  if (tls.mode === 'MUTUAL') {
    if (tls.credentialName)
      common.tls_certificate_sds_secret_configs = [
        credentialSecretConfig(credentialResourceName(tls.credentialName)),
      ];
    else if (tls.clientCertificate && tls.privateKey)
      common.tls_certificate_sds_secret_configs = [
        sdsSecret(`file-cert:${tls.clientCertificate}~${tls.privateKey}`),
      ];
  }
  if (!tls.insecureSkipVerify) {
    const root = tls.credentialName
      ? credentialSecretConfig(credentialCaResourceName(tls.credentialName))
      : sdsSecret(tls.caCertificates ? `file-root:${tls.caCertificates}` : SDS_ROOT_CA);
    const sans = (tls.subjectAltNames ?? []).map((exact) => ({ exact }));
    if (tls.credentialName || tls.caCertificates || sans.length > 0)
      common.combined_validation_context = {
        default_validation_context: sans.length > 0 ? { match_subject_alt_names: sans } : {},
        validation_context_sds_secret_config: root,
      };
  }
  if (input.http2) common.alpn_protocols = ['h2'];
  return tlsSocket({ common_tls_context: common, ...(tls.sni ? { sni: tls.sni } : {}) });
}

/** Mesh mTLS with the workload certificate and the mesh root. */
export function istioMutualSocket(
  serviceAccounts: readonly string[],
  sni: string,
  http2: boolean,
  sans?: string[],
): object {
  const names = sans?.length ? sans : serviceAccounts;
  return tlsSocket({
    common_tls_context: {
      tls_certificate_sds_secret_configs: [sdsSecret(SDS_DEFAULT_CERT)],
      combined_validation_context: {
        default_validation_context:
          names.length > 0 ? { match_subject_alt_names: names.map((exact) => ({ exact })) } : {},
        validation_context_sds_secret_config: sdsSecret(SDS_ROOT_CA),
      },
      alpn_protocols: http2 ? [...MTLS_ALPN, 'h2'] : MTLS_ALPN,
    },
    sni,
  });
}

function tlsSocket(context: object): object {
  return { name: Filters.tls, typed_config: typed(Types.upstreamTls, context) };
}

/** Endpoint metadata key Envoy matches transport_socket_matches against. */
export const TRANSPORT_SOCKET_MATCH_KEY = 'envoy.transport_socket_match';

/** Auto mTLS: mTLS to endpoints with a sidecar (tlsMode=istio), plaintext to the rest. */
export function autoMtlsMatches(serviceAccounts: readonly string[], sni: string, http2: boolean): object[] {
  return [
    {
      name: 'tlsMode-istio',
      match: struct({ tlsMode: 'istio' }),
      transport_socket: istioMutualSocket(serviceAccounts, sni, http2),
    },
  ];
}
