// The two SDS secrets Istio's agent serves: `default` (the workload key and certificate chain)
// and `ROOTCA` (the trust bundle used to validate peers), as envoy.extensions.transport_sockets.tls.v3.Secret.
import type { WorkloadCertificate } from '../../ca/client.js';

export const DEFAULT_SECRET = 'default';
export const ROOTCA_SECRET = 'ROOTCA';

export interface SecretResource {
  name: string;
  [field: string]: unknown;
}

export function workloadSecret(cert: WorkloadCertificate): SecretResource {
  return {
    name: DEFAULT_SECRET,
    tls_certificate: {
      certificate_chain: { inline_bytes: Buffer.from(cert.certChainPem) },
      private_key: { inline_bytes: Buffer.from(cert.keyPem) },
    },
  };
}

export function rootSecret(rootsPem: string): SecretResource {
  return { name: ROOTCA_SECRET, validation_context: { trusted_ca: { inline_bytes: Buffer.from(rootsPem) } } };
}
