// Gateway server tls → DownstreamTlsContext (Istio buildGatewayListenerTLSContext): SIMPLE serves a
// certificate, MUTUAL also requires and verifies client certificates; ISTIO_MUTUAL uses the mesh identity.
import type { ServerTLSSettings } from '../../../registry/specs.js';
import { bool, Filters, typed, Types } from '../common.js';
import { sdsSecret, SDS_DEFAULT_CERT, SDS_ROOT_CA } from '../cluster/tls.js';

export function downstreamTransportSocket(tls: ServerTLSSettings, alpn: string[]): object {
  const common: Record<string, unknown> = { alpn_protocols: alpn };
  const mutual = tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL' || tls.mode === 'ISTIO_MUTUAL';
  if (tls.mode === 'ISTIO_MUTUAL') common.tls_certificate_sds_secret_configs = [sdsSecret(SDS_DEFAULT_CERT)];
  else if (tls.credentialName) common.tls_certificate_sds_secret_configs = [sdsSecret(tls.credentialName)];
  else if (tls.serverCertificate && tls.privateKey)
    common.tls_certificate_sds_secret_configs = [
      sdsSecret(`file-cert:${tls.serverCertificate}~${tls.privateKey}`),
    ];
  if (mutual) {
    const root =
      tls.mode === 'ISTIO_MUTUAL'
        ? SDS_ROOT_CA
        : tls.credentialName
          ? `${tls.credentialName}-cacert`
          : `file-root:${tls.caCertificates ?? ''}`;
    const sans = (tls.subjectAltNames ?? []).map((exact) => ({ exact }));
    common.combined_validation_context = {
      default_validation_context: sans.length > 0 ? { match_subject_alt_names: sans } : {},
      validation_context_sds_secret_config: sdsSecret(root),
    };
  }
  const params: Record<string, unknown> = {};
  if (tls.minProtocolVersion) params.tls_minimum_protocol_version = tls.minProtocolVersion;
  if (tls.maxProtocolVersion) params.tls_maximum_protocol_version = tls.maxProtocolVersion;
  if (tls.cipherSuites?.length) params.cipher_suites = tls.cipherSuites;
  if (Object.keys(params).length > 0) common.tls_params = params;
  return {
    name: Filters.tls,
    typed_config: typed(Types.downstreamTls, {
      common_tls_context: common,
      ...(mutual && tls.mode !== 'OPTIONAL_MUTUAL' ? { require_client_certificate: bool(true) } : {}),
    }),
  };
}
