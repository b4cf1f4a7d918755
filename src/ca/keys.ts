// Key and PEM helpers over WebCrypto for the CA and the agent (ECDSA P-256, as Istio defaults to
// for workload keys when ECC is enabled; small keys make handshakes cheap).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// WebCrypto types under Node's names (the project does not load the DOM lib).
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
export type SignatureAlgorithm = webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_ALG, true, ['sign', 'verify']);
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

/** Imports a PKCS#8 PEM key (EC P-256 or RSA), returning the signing key and its algorithm. */
export async function importPrivateKeyPem(pem: string): Promise<{ key: CryptoKey; alg: SignatureAlgorithm }> {
  const body = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  if (/BEGIN (EC|RSA) PRIVATE KEY/.test(pem))
    throw new Error(
      'private key must be PKCS#8 ("BEGIN PRIVATE KEY"); convert with `openssl pkcs8 -topk8 -nocrypt`',
    );
  try {
    const key = await webcrypto.subtle.importKey('pkcs8', der, EC_ALG, true, ['sign']);
    return { key, alg: EC_ALG };
  } catch {
    const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await webcrypto.subtle.importKey('pkcs8', der, rsa, true, ['sign']);
    return { key, alg: rsa };
  }
}

/** Splits a PEM bundle into its certificates. */
export function splitPem(bundle: string): string[] {
  return (
    bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => `${c}\n`) ?? []
  );
}

export { x509 };
