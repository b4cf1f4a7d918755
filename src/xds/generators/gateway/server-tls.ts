// Gateway server tls → DownstreamTlsContext (Istio BuildListenerTLSContext): SIMPLE serves a
// certificate, MUTUAL also requires and verifies client certificates, OPTIONAL_MUTUAL verifies one
// when offered, ISTIO_MUTUAL uses the mesh identity (SDS `default`/`ROOTCA`). credentialName
// certificates come from the control plane over ADS as `kubernetes://<name>` and `…-cacert`.
import type { ServerTLSSettings } from '../../../registry/specs.js';
import { bool, Filters, typed, Types } from '../common.js';
import { sdsSecret, SDS_DEFAULT_CERT, SDS_ROOT_CA } from '../cluster/tls.js';
import { credentialCaResourceName, credentialResourceName, credentialSecretConfig } from '../secret/names.js';

/** Istio's ServerTLSSettings.TLSProtocol names → Envoy's TlsParameters.TlsProtocol names. */
const TLS_PROTOCOL: Record<string, string> = {
  TLSV1_0: 'TLSv1_0',
  TLSV1_1: 'TLSv1_1',
  TLSV1_2: 'TLSv1_2',
  TLSV1_3: 'TLSv1_3',
};

function certificate(tls: ServerTLSSettings): object | undefined {
  if (tls.mode === 'ISTIO_MUTUAL') return sdsSecret(SDS_DEFAULT_CERT);
  if (tls.credentialName) return credentialSecretConfig(credentialResourceName(tls.credentialName));
  if (tls.serverCertificate && tls.privateKey)
    return sdsSecret(`file-cert:${tls.serverCertificate}~${tls.privateKey}`);
  return undefined;
}

function trustedCa(tls: ServerTLSSettings): object {
  if (tls.mode === 'ISTIO_MUTUAL') return sdsSecret(SDS_ROOT_CA);
  if (tls.credentialName) return credentialSecretConfig(credentialCaResourceName(tls.credentialName));
  return sdsSecret(`file-root:${tls.caCertificates ?? ''}`);
}

/** min/max version and cipher suites, for SIMPLE and (OPTIONAL_)MUTUAL only, as in Istio. */
function tlsParams(tls: ServerTLSSettings): Record<string, unknown> | undefined {
  if (tls.mode === 'ISTIO_MUTUAL') return undefined;
  const params: Record<string, unknown> = {};
  const min = TLS_PROTOCOL[tls.minProtocolVersion ?? ''];
  const max = TLS_PROTOCOL[tls.maxProtocolVersion ?? ''];
  if (min) params.tls_minimum_protocol_version = min;
  if (max) params.tls_maximum_protocol_version = max;
  // Istio FilterCipherSuites: duplicates dropped, order kept.
  if (tls.cipherSuites?.length) params.cipher_suites = [...new Set(tls.cipherSuites)];
  return Object.keys(params).length > 0 ? params : undefined;
}

export function downstreamTransportSocket(tls: ServerTLSSettings, alpn: string[]): object {
  const common: Record<string, unknown> = { alpn_protocols: alpn };
  const cert = certificate(tls);
  if (cert) common.tls_certificate_sds_secret_configs = [cert];
  const required = tls.mode === 'MUTUAL' || tls.mode === 'ISTIO_MUTUAL';
  if (required || tls.mode === 'OPTIONAL_MUTUAL') {
    const sans = (tls.subjectAltNames ?? []).map((exact) => ({ exact }));
    common.combined_validation_context = {
      default_validation_context: sans.length > 0 ? { match_subject_alt_names: sans } : {},
      validation_context_sds_secret_config: trustedCa(tls),
    };
  }
  const params = tlsParams(tls);
  if (params) common.tls_params = params;
  return {
    name: Filters.tls,
    typed_config: typed(Types.downstreamTls, {
      common_tls_context: common,
      ...(required ? { require_client_certificate: bool(true) } : {}),
    }),
  };
}
