// CommonTlsContext inside a DownstreamTlsContext or UpstreamTlsContext → frozen TLS settings:
// inline certificates or SDS secret names (tls_certificate_sds_secret_configs), the validation
// context (inline, validation_context_sds_secret_config, or combined_validation_context whose SDS
// part is merged over the default as Envoy merges them), ALPN, tls_params, SNI and
// require_client_certificate and max_session_keys.
import type { SecureVersion } from 'node:tls';
import { ConfigError, type Msg } from '../config/proto.js';
import {
  parseTlsCertificate,
  parseValidationContext,
  type CertificateData,
  type ValidationData,
} from './secret.js';

/** Where an SDS secret comes from: Envoy's sds_config ConfigSource, or a local file (Istio file-cert:/file-root:). */
export type SecretSource =
  { kind: 'static' } | { kind: 'ads' } | { kind: 'cluster'; cluster: string } | { kind: 'file' };

export interface SecretRef {
  name: string;
  source: SecretSource;
}

export interface TlsContextConfig {
  readonly side: 'downstream' | 'upstream';
  readonly certificates: readonly CertificateData[];
  readonly certificateSecrets: readonly SecretRef[];
  /** inline validation_context, or combined_validation_context.default_validation_context */
  readonly validation: ValidationData | undefined;
  readonly validationSecret: SecretRef | undefined;
  readonly alpn: readonly string[];
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  /** OpenSSL cipher list, from cipher_suites */
  readonly ciphers: string | undefined;
  readonly ecdhCurve: string | undefined;
  readonly requireClientCertificate: boolean;
  readonly sni: string;
  /** UpstreamTlsContext max_session_keys (default 1; 0 turns session resumption off) */
  readonly maxSessionKeys: number;
}

export const FILE_CERT_PREFIX = 'file-cert:';
export const FILE_ROOT_PREFIX = 'file-root:';

const VERSIONS: Record<string, SecureVersion | undefined> = {
  TLS_AUTO: undefined,
  TLSv1_0: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
};

function version(v: string | undefined, dflt: SecureVersion, path: string): SecureVersion {
  if (v === undefined) return dflt;
  if (!(v in VERSIONS)) throw new ConfigError(path, `unknown TLS version ${v}`);
  return VERSIONS[v] ?? dflt;
}

function sdsRef(c: Msg, path: string): SecretRef {
  const name = c.name as string | undefined;
  if (!name) throw new ConfigError(`${path}.name`, 'an SDS secret config needs a name');
  if (name.startsWith(FILE_CERT_PREFIX) || name.startsWith(FILE_ROOT_PREFIX))
    return { name, source: { kind: 'file' } };
  const src = c.sds_config as Msg | undefined;
  if (!src) return { name, source: { kind: 'static' } };
  if (src.ads) return { name, source: { kind: 'ads' } };
  const cluster = src.api_config_source?.grpc_services?.[0]?.envoy_grpc?.cluster_name as string | undefined;
  if (src.api_config_source?.api_type !== 'GRPC' || !cluster)
    throw new ConfigError(
      `${path}.sds_config`,
      'SDS needs ads or a GRPC api_config_source with an envoy_grpc cluster',
    );
  return { name, source: { kind: 'cluster', cluster } };
}

/** Envoy's cipher syntax allows equal-preference groups "[A|B]"; OpenSSL wants "A:B". */
function cipherList(suites: string[] | undefined): string | undefined {
  if (!suites?.length) return undefined;
  return suites.flatMap((s) => s.replace(/^\[|\]$/g, '').split('|')).join(':');
}

export function parseTlsContext(ctx: Msg, side: 'downstream' | 'upstream', path: string): TlsContextConfig {
  const common: Msg = ctx.common_tls_context ?? {};
  const cp = `${path}.common_tls_context`;
  const params: Msg = common.tls_params ?? {};
  const combined = common.combined_validation_context as Msg | undefined;
  const validationMsg: Msg | undefined = combined
    ? combined.default_validation_context
    : common.validation_context;
  const validationSds: Msg | undefined = combined
    ? combined.validation_context_sds_secret_config
    : common.validation_context_sds_secret_config;
  if (combined && !validationSds)
    throw new ConfigError(
      `${cp}.combined_validation_context`,
      'validation_context_sds_secret_config is required',
    );
  const certificates = ((common.tls_certificates ?? []) as Msg[]).map((c, i) =>
    parseTlsCertificate(c, `${cp}.tls_certificates[${i}]`),
  );
  const certificateSecrets = ((common.tls_certificate_sds_secret_configs ?? []) as Msg[]).map((c, i) =>
    sdsRef(c, `${cp}.tls_certificate_sds_secret_configs[${i}]`),
  );
  if (side === 'downstream' && certificates.length + certificateSecrets.length === 0)
    throw new ConfigError(cp, 'a server TLS context needs a certificate (tls_certificates or SDS)');
  const vPath = combined
    ? `${cp}.combined_validation_context.default_validation_context`
    : `${cp}.validation_context`;
  return Object.freeze({
    side,
    certificates,
    certificateSecrets,
    validation: validationMsg ? parseValidationContext(validationMsg, vPath) : undefined,
    validationSecret: validationSds
      ? sdsRef(validationSds, `${cp}.validation_context_sds_secret_config`)
      : undefined,
    alpn: (common.alpn_protocols ?? []) as string[],
    minVersion: version(
      params.tls_minimum_protocol_version,
      'TLSv1.2',
      `${cp}.tls_params.tls_minimum_protocol_version`,
    ),
    maxVersion: version(
      params.tls_maximum_protocol_version,
      'TLSv1.3',
      `${cp}.tls_params.tls_maximum_protocol_version`,
    ),
    ciphers: cipherList(params.cipher_suites),
    ecdhCurve: ((params.ecdh_curves ?? []) as string[]).join(':') || undefined,
    requireClientCertificate: Boolean(ctx.require_client_certificate?.value),
    sni: (ctx.sni as string | undefined) ?? '',
    maxSessionKeys: Number(ctx.max_session_keys?.value ?? 1),
  });
}

/** Every SDS secret a context needs before it can handshake. */
export function secretRefs(c: TlsContextConfig): SecretRef[] {
  return c.validationSecret ? [...c.certificateSecrets, c.validationSecret] : [...c.certificateSecrets];
}
