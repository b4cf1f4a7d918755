// TLS settings: ClientTLSSettings (DestinationRule, upstream side) and ServerTLSSettings
// (Gateway servers and Sidecar ingress, downstream side), as in istio.networking.v1alpha3.
import { arr, bool, enumOf, obj, str, type Infer, type Path, type Sink } from '../schema/dsl.js';

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
}).refine((t, path, sink) => {
  if (t.insecureSkipVerify) {
    if (t.mode === 'SIMPLE' && (t.caCertificates || t.credentialName || t.subjectAltNames))
      sink.error(
        path,
        'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true',
      );
    if (t.mode === 'MUTUAL' && (t.caCertificates || t.subjectAltNames))
      sink.error(
        path,
        'cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true',
      );
  }
  if ((t.mode === 'SIMPLE' || t.mode === 'MUTUAL') && t.credentialName) {
    // The secret named by credentialName carries the certificates, so none may be given inline.
    if (t.clientCertificate || t.caCertificates || t.privateKey || t.caCrl)
      sink.error(
        path,
        'cannot specify client certificates or CA certificate or CA CRL If credentialName is set',
      );
    return;
  }
  if (t.mode === 'MUTUAL') {
    if (!t.clientCertificate)
      sink.error([...path, 'clientCertificate'], 'client certificate required for mutual tls');
    if (!t.privateKey) sink.error([...path, 'privateKey'], 'private key required for mutual tls');
  }
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

interface ServerTLSSettingsShape {
  mode?: (typeof SERVER_TLS_MODES)[number];
  serverCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  caCrl?: string;
  credentialName?: string;
  credentialNames?: string[];
  tlsCertificates?: { serverCertificate?: string; privateKey?: string; caCertificates?: string }[];
  minProtocolVersion?: (typeof TLS_PROTOCOLS)[number];
  cipherSuites?: string[];
}

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
      ['credentialName', 'tlsCertificates'],
    ],
  },
).refine(checkServerTls);
export type ServerTLSSettings = Infer<typeof ServerTLSSettings>;

/** Istio's validateTLSOptions: which certificate sources each server TLS mode needs or ignores. */
function checkServerTls(tls: ServerTLSSettingsShape, path: Path, sink: Sink): void {
  const t = { ...tls, mode: tls.mode ?? 'PASSTHROUGH' }; // the proto's zero value
  if ((t.minProtocolVersion === 'TLSV1_0' || t.minProtocolVersion === 'TLSV1_1') && !t.cipherSuites?.length)
    sink.warn(
      path,
      'TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.',
    );
  const dup = (t.cipherSuites ?? []).filter((c, i, all) => all.indexOf(c) !== i);
  if (dup.length)
    sink.warn(
      [...path, 'cipherSuites'],
      `ignoring duplicate cipher suites: [${[...new Set(dup)].sort().join(' ')}]`,
    );

  if (t.mode === 'ISTIO_MUTUAL') {
    // The workload's own mesh certificate is used; nothing else may be configured.
    const extra: [keyof ServerTLSSettingsShape, string][] = [
      ['serverCertificate', 'server certificate'],
      ['privateKey', 'private key'],
      ['caCertificates', 'CA bundle'],
      ['tlsCertificates', 'tlsCertificates'],
      ['credentialName', 'credentialName'],
      ['credentialNames', 'credentialNames'],
    ];
    for (const [f, what] of extra)
      if (t[f] !== undefined && t[f] !== '')
        sink.error([...path, f], `ISTIO_MUTUAL TLS cannot have associated ${what}`);
    return;
  }
  if (
    (t.mode === 'PASSTHROUGH' || t.mode === 'AUTO_PASSTHROUGH') &&
    (t.caCrl ||
      t.serverCertificate ||
      t.privateKey ||
      t.caCertificates ||
      t.tlsCertificates ||
      t.credentialName ||
      t.credentialNames)
  )
    sink.warn(path, `${t.mode} mode does not use certificates, they will be ignored`);

  const sources = [
    Boolean(t.serverCertificate && t.privateKey),
    Boolean(t.credentialName),
    Boolean(t.credentialNames?.length),
    Boolean(t.tlsCertificates?.length),
  ].filter(Boolean).length;
  if (sources > 1)
    sink.error(
      path,
      'only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified',
    );

  const simpleOrMutual = t.mode === 'SIMPLE' || t.mode === 'MUTUAL' || t.mode === 'OPTIONAL_MUTUAL';
  if (simpleOrMutual && (t.credentialName || t.credentialNames?.length)) return; // certificates come from the secret
  if (simpleOrMutual) {
    const prefix = t.mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS';
    if (prefix === 'MUTUAL TLS' && !t.caCertificates)
      sink.error([...path, 'caCertificates'], `${prefix} requires a client CA bundle`);
    const certs = t.tlsCertificates?.length
      ? t.tlsCertificates
      : [{ serverCertificate: t.serverCertificate, privateKey: t.privateKey }];
    certs.forEach((c, i) => {
      const p = t.tlsCertificates?.length ? [...path, 'tlsCertificates', i] : path;
      if (!c.serverCertificate)
        sink.error([...p, 'serverCertificate'], `${prefix} requires a server certificate`);
      if (!c.privateKey) sink.error([...p, 'privateKey'], `${prefix} requires a private key`);
    });
  }
  if (t.caCrl) {
    if (t.credentialName)
      sink.error(
        [...path, 'caCrl'],
        'CRL is not supported with credentialName. CRL has to be specified in the credential',
      );
    if (t.mode === 'SIMPLE') sink.error([...path, 'caCrl'], 'CRL is not supported with SIMPLE TLS');
  }
}
