// Upstream TLS failures in Envoy's words: the router's 503 body and
// %UPSTREAM_TRANSPORT_FAILURE_REASON% read "TLS error: …" (BoringSSL's reason), and a handshake
// that fails is a connection failure (flag UF), not a reset.

/** BoringSSL's packed error for a failed peer verification, as Envoy prints it. */
const VERIFY_FAILED = 'TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED';

/** OpenSSL X509 verify results as Node names them (tls.TLSSocket authorizationError). */
const VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A handshake that did not complete: the pool reports it as a connection failure. */
export class UpstreamTlsError extends Error {
  readonly code = 'ERR_UPSTREAM_TLS_HANDSHAKE';
  constructor(
    readonly transportFailureReason: string,
    cause?: unknown,
  ) {
    super(transportFailureReason, { cause });
  }
}

/** Envoy's transport failure reason for a TLS error (also looks through `cause`). */
export function tlsFailureReason(err: unknown): string | undefined {
  for (let e = err as (Error & { code?: string; cause?: unknown }) | undefined; e; e = e.cause as typeof e) {
    if (e instanceof UpstreamTlsError) return e.transportFailureReason;
    if (!e.code) continue;
    if (VERIFY_CODES.has(e.code)) return VERIFY_FAILED;
    if (e.code.startsWith('ERR_SSL_')) return `TLS error: ${e.code.slice('ERR_SSL_'.length)}`;
  }
  return undefined;
}

export const SECRET_NOT_READY = 'TLS error: Secret is not supplied by SDS';

/** For verifiers: a SAN mismatch fails verification exactly as a bad chain does. */
export function sanMismatch(): Error {
  return Object.assign(new Error('peer certificate SAN does not match'), {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
}
