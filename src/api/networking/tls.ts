// TLS settings: ClientTLSSettings (DestinationRule, upstream side) and ServerTLSSettings
// (Gateway servers and Sidecar ingress, downstream side), as in istio.networking.v1alpha3.
import { arr, bool, enumOf, obj, str, type Infer } from '../schema/dsl.js';

export const CLIENT_TLS_MODES = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] as const;

export const ClientTLSSettings = obj({
  mode: enumOf(CLIENT_TLS_MODES),
  clientCertificate: str(),
  privateKey: str(),
  caCertificates: str(),
  credentialName: str(),
  subjectAltNames: arr(str()),
  sni: str(),
  insecureSkipVerify: bool(),
  caCrl: str(),
});
export type ClientTLSSettings = Infer<typeof ClientTLSSettings>;

export const SERVER_TLS_MODES = [
  'PASSTHROUGH',
  'SIMPLE',
  'MUTUAL',
  'AUTO_PASSTHROUGH',
  'ISTIO_MUTUAL',
  'OPTIONAL_MUTUAL',
] as const;
export const TLS_PROTOCOLS = ['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'] as const;

const TLSCertificate = obj({ serverCertificate: str(), privateKey: str(), caCertificates: str() });

export const ServerTLSSettings = obj(
  {
    httpsRedirect: bool(),
    mode: enumOf(SERVER_TLS_MODES),
    serverCertificate: str(),
    privateKey: str(),
    caCertificates: str(),
    caCrl: str(),
    credentialName: str(),
    credentialNames: arr(str(), { minItems: 1, maxItems: 2 }),
    caCertCredentialName: str(),
    tlsCertificates: arr(TLSCertificate, { minItems: 1, maxItems: 2 }),
    subjectAltNames: arr(str()),
    verifyCertificateSpki: arr(str()),
    verifyCertificateHash: arr(str()),
    minProtocolVersion: enumOf(TLS_PROTOCOLS),
    maxProtocolVersion: enumOf(TLS_PROTOCOLS),
    cipherSuites: arr(str()),
    insecureSkipVerify: bool(),
  },
  {
    oneOf: [
      ['credentialNames', 'tlsCertificates'],
      ['credentialName', 'credentialNames'],
    ],
  },
);
export type ServerTLSSettings = Infer<typeof ServerTLSSettings>;
