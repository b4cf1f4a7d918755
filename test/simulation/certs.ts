// Throwaway certificates for credentialName tests: a self-signed certificate with its PKCS#8 key.
import { generateKeyPair, privateKeyPem, x509 } from '../../src/ca/keys.js';

export interface TestCert {
  cert: string;
  key: string;
}

export async function selfSigned(commonName: string): Promise<TestCert> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName}`,
    keys,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3600_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A Secret as `kubectl create secret tls|generic` makes it, with base64 data. */
export function secretYaml(
  name: string,
  namespace: string,
  data: Record<string, string>,
  type = 'kubernetes.io/tls',
): string {
  const entries = Object.entries(data)
    .map(([k, v]) => `  ${k}: ${b64(v)}`)
    .join('\n');
  return `apiVersion: v1\nkind: Secret\nmetadata: { name: ${name}, namespace: ${namespace} }\ntype: ${type}\ndata:\n${entries}\n`;
}
