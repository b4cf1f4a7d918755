// Gateway credentials from Kubernetes Secrets (Istio pilot/pkg/credentials/kube): a certificate and
// key (tls.crt/tls.key or cert/key) and a CA bundle (ca.crt or cacert). A Secret is checked when it
// changes; a malformed one (bad PEM, key not matching the certificate) is reported and the last
// good version of it keeps serving, so one bad edit never takes a gateway's TLS down.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { ConfigStoreReader, StoredConfig } from '../config/store-types.js';
import type { Diagnostic } from '../config/diagnostics.js';

export interface Credential {
  /** PEM certificate chain and private key, when the Secret carries them. */
  certChain?: string;
  privateKey?: string;
  /** PEM CA bundle for validating peers, when the Secret carries one. */
  caCert?: string;
}

interface Entry {
  resourceVersion: string;
  /** The last version that passed the checks; undefined while the Secret never did. */
  good?: Credential;
  problem?: Diagnostic;
}

export type CredentialLogger = (message: string) => void;

const stderrLog: CredentialLogger = (m) => process.stderr.write(`warn\tsds\t${m}\n`);

// Istio's key names (secrets.go): the generic ones win over the kubernetes.io/tls ones.
const CERT_KEYS = [
  ['cert', 'key'],
  ['tls.crt', 'tls.key'],
] as const;
const CA_KEYS = ['cacert', 'ca.crt'] as const;

export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly log: CredentialLogger = stderrLog) {}

  /** Re-reads Secrets whose resourceVersion changed; forgets deleted ones. */
  refresh(store: ConfigStoreReader): void {
    const seen = new Set<string>();
    for (const c of store.list({ group: '', kind: 'Secret' })) {
      const key = `${c.resource.metadata.namespace ?? 'default'}/${c.resource.metadata.name ?? ''}`;
      seen.add(key);
      const prev = this.entries.get(key);
      if (prev?.resourceVersion === c.resourceVersion) continue;
      const parsed = parseCredential(c);
      if ('error' in parsed) {
        const problem: Diagnostic = {
          severity: 'error',
          resource: `Secret ${key}`,
          message: `${parsed.error}; ${prev?.good ? 'still serving the last good version' : 'not served'}`,
          ...(c.source ? { file: c.source.file, line: c.source.line } : {}),
        };
        this.log(`invalid certificates: ${key}: ${problem.message}`);
        this.entries.set(key, {
          resourceVersion: c.resourceVersion,
          ...(prev?.good ? { good: prev.good } : {}),
          problem,
        });
      } else this.entries.set(key, { resourceVersion: c.resourceVersion, good: parsed.credential });
    }
    for (const key of this.entries.keys()) if (!seen.has(key)) this.entries.delete(key);
  }

  /** The credentials that serve now, keyed `namespace/name`: a snapshot for one push context. */
  snapshot(): ReadonlyMap<string, Credential> {
    const out = new Map<string, Credential>();
    for (const [key, e] of this.entries) if (e.good) out.set(key, e.good);
    return out;
  }

  /** One diagnostic per Secret whose current version is not served. */
  diagnostics(): Diagnostic[] {
    return [...this.entries.values()].flatMap((e) => (e.problem ? [e.problem] : []));
  }
}

const caches = new WeakMap<ConfigStoreReader, CredentialCache>();

/** The cache that follows one config store across push contexts (it remembers last good Secrets). */
export function credentialCacheFor(store: ConfigStoreReader): CredentialCache {
  let c = caches.get(store);
  if (!c) caches.set(store, (c = new CredentialCache()));
  c.refresh(store);
  return c;
}

type Parsed = { credential: Credential } | { error: string };

/** A Secret's data (base64) and stringData, decoded. */
export function secretData(c: StoredConfig): Record<string, string> {
  const r = c.resource as { data?: Record<string, string>; stringData?: Record<string, string> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return { ...out, ...r.stringData };
}

export function parseCredential(c: StoredConfig): Parsed {
  const data = secretData(c);
  const pair = CERT_KEYS.find(([cert, key]) => data[cert] && data[key]);
  const caKey = CA_KEYS.find((k) => data[k]);
  if (!pair && !caKey)
    return {
      error: `found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key) or (cacert or ca.crt); found: ${Object.keys(data).sort().join(', ')}`,
    };
  const credential: Credential = {};
  if (pair) {
    const [certName, keyName] = pair;
    const cert = firstCertificate(data[certName]!, certName);
    if ('error' in cert) return cert;
    try {
      const key = createPrivateKey(data[keyName]!);
      if (!cert.x509.checkPrivateKey(key))
        return { error: `${keyName} does not match the certificate in ${certName}` };
    } catch (e) {
      return { error: `${keyName}: not a PEM private key (${(e as Error).message})` };
    }
    credential.certChain = data[certName]!;
    credential.privateKey = data[keyName]!;
  }
  if (caKey) {
    const ca = firstCertificate(data[caKey]!, caKey);
    if ('error' in ca) return ca;
    credential.caCert = data[caKey]!;
  }
  return { credential };
}

function firstCertificate(pem: string, field: string): { x509: X509Certificate } | { error: string } {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { error: `${field}: no PEM certificate` };
  try {
    return { x509: new X509Certificate(pem) };
  } catch (e) {
    return { error: `${field}: not a PEM certificate (${(e as Error).message})` };
  }
}
