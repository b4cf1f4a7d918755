// envoy.extensions.transport_sockets.tls.v3.Secret → plain secret data (it crosses from the main
// context to worker processes): a TlsCertificate (chain and key PEM) or a
// CertificateValidationContext (trusted CA PEM plus the SAN/pinning fields, kept as decoded).
import { ConfigError, type Msg } from '../config/proto.js';
import { readDataSource } from './data-source.js';

export interface CertificateData {
  kind: 'tls_certificate';
  certChain: string;
  privateKey: string;
}

export interface ValidationData {
  kind: 'validation_context';
  /** PEM roots; undefined = no trust anchors configured (peer certificates are not verified) */
  trustedCa: string | undefined;
  /** the rest of the CertificateValidationContext (SAN matchers …), decoded */
  context: Msg;
}

export type SecretData = CertificateData | ValidationData;

export interface NamedSecret {
  name: string;
  data: SecretData;
}

export function parseTlsCertificate(c: Msg, path: string): CertificateData {
  const certChain = readDataSource(c.certificate_chain, `${path}.certificate_chain`);
  const privateKey = readDataSource(c.private_key, `${path}.private_key`);
  if (!certChain) throw new ConfigError(`${path}.certificate_chain`, 'a certificate chain is required');
  if (!privateKey) throw new ConfigError(`${path}.private_key`, 'a private key is required');
  return { kind: 'tls_certificate', certChain, privateKey };
}

export function parseValidationContext(v: Msg, path: string): ValidationData {
  const { trusted_ca: ca, ...context } = v;
  return { kind: 'validation_context', trustedCa: readDataSource(ca, `${path}.trusted_ca`), context };
}

/** One Secret resource (SDS, ADS or static_resources.secrets). */
export function parseSecret(s: Msg, path: string): NamedSecret {
  const name = s.name as string | undefined;
  if (!name) throw new ConfigError(`${path}.name`, 'secret name is required');
  if (s.tls_certificate)
    return { name, data: parseTlsCertificate(s.tls_certificate, `${path}.tls_certificate`) };
  if (s.validation_context)
    return { name, data: parseValidationContext(s.validation_context, `${path}.validation_context`) };
  throw new ConfigError(path, 'only tls_certificate and validation_context secrets are supported');
}
