// Workload side of issuance: a fresh key and a PKCS#10 CSR naming the identity the workload
// expects (the CA checks it against what the caller proved).
import { EC_ALG, generateKeyPair, privateKeyPem, x509 } from './keys.js';
import { spiffeUri, type Identity } from './spiffe.js';

export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
}

export async function createCsr(identity: Identity, dnsNames: string[] = []): Promise<KeyAndCsr> {
  const keys = await generateKeyPair();
  const names: x509.JsonGeneralName[] = [{ type: 'url', value: spiffeUri(identity) }];
  for (const d of dnsNames) names.push({ type: 'dns', value: d });
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: EC_ALG,
    extensions: [new x509.SubjectAlternativeNameExtension(names)],
  });
  return { keyPem: await privateKeyPem(keys.privateKey), csrPem: csr.toString('pem') };
}
