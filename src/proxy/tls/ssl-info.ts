// What a TLS connection knows about itself and its peer (Envoy Ssl::ConnectionInfo): the
// source of RBAC's source.principal, %DOWNSTREAM_PEER_URI_SAN% and Istio's source_principal.
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { parseSans } from './san.js';

export interface SslInfo {
  peerCertificatePresented: boolean;
  peerCertificateValidated: boolean;
  peerUriSans: string[];
  peerDnsSans: string[];
  /** RFC 2253 order ("CN=…,O=…") */
  peerSubject: string;
  /** lowercase hex SHA-256 of the peer certificate's DER (XFCC Hash) */
  peerCertificateSha256: string;
  /** the presented chain, leaf first, as PEM (XFCC Cert/Chain); computed on demand */
  peerChainPem: () => string[];
  localUriSans: string[];
  tlsVersion: string;
  cipherSuite: string;
  alpn: string;
  sni: string;
}

function subject(s: Record<string, string | string[]> | undefined): string {
  if (!s) return '';
  return Object.entries(s)
    .reverse()
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}=${x}`))
    .join(',');
}

function chainPem(leaf: DetailedPeerCertificate): string[] {
  const out: string[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  // A self-signed issuer points at itself; stop there.
  for (let c: DetailedPeerCertificate | undefined = leaf; c?.raw && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    out.push(new X509Certificate(c.raw).toString());
  }
  return out;
}

export function sslInfo(s: TLSSocket, validated: boolean): SslInfo {
  const peer = s.getPeerCertificate();
  const presented = Boolean(peer && Object.keys(peer).length > 0);
  const peerSans = parseSans(presented ? peer.subjectaltname : undefined);
  const local = s.getCertificate();
  return {
    peerCertificatePresented: presented,
    peerCertificateValidated: presented && validated,
    peerUriSans: peerSans.uri,
    peerDnsSans: peerSans.dns,
    peerSubject: presented ? subject(peer.subject as unknown as Record<string, string>) : '',
    peerCertificateSha256: presented ? peer.fingerprint256.replaceAll(':', '').toLowerCase() : '',
    peerChainPem: () => (presented ? chainPem(s.getPeerCertificate(true)) : []),
    localUriSans: local && 'subjectaltname' in local ? parseSans(local.subjectaltname).uri : [],
    tlsVersion: s.getProtocol() ?? '',
    cipherSuite: s.getCipher()?.standardName ?? '',
    alpn: s.alpnProtocol || '',
    sni: (s as TLSSocket & { servername?: string | false }).servername || '',
  };
}
