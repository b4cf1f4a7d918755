// SPIFFE identities as Istio issues them: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.
export interface Identity {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

export function spiffeUri(id: Identity): string {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** Parses a SPIFFE URI of Istio's shape; returns undefined for anything else. */
export function parseSpiffeUri(uri: string): Identity | undefined {
  const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(uri);
  if (!m) return undefined;
  return { trustDomain: m[1]!, namespace: m[2]!, serviceAccount: m[3]! };
}

/** The URI SANs of a certificate as Node reports them ("URI:spiffe://…, DNS:…"). */
export function uriSans(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4));
}
