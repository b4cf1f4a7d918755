// Admin views of secrets: /config_dump's SecretsConfigDump (private keys redacted as Envoy's
// MessageUtil::redact does) and /certs (every certificate with its SANs and days to expiry).
import { X509Certificate } from 'node:crypto';
import { splitPem } from '../../ca/keys.js';
import type { Msg } from '../config/proto.js';
import type { SecretEntry, SecretManager } from './secret-manager.js';

const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
const REDACTED = '[redacted]';

function redactDataSource(ds: Msg | undefined): Msg | undefined {
  if (!ds) return ds;
  if (ds.inline_bytes !== undefined) return { inline_bytes: Buffer.from(REDACTED).toString('base64') };
  if (ds.inline_string !== undefined) return { inline_string: REDACTED };
  return ds;
}

function redacted(raw: Msg): Msg {
  const tc = raw.tls_certificate as Msg | undefined;
  if (!tc) return raw;
  return { ...raw, tls_certificate: { ...tc, private_key: redactDataSource(tc.private_key) } };
}

/** Undefined while the proxy has no secrets at all (the section is then left out). */
export function secretsConfigDump(m: SecretManager): Msg | undefined {
  const all = m.all();
  const warming = m.warming();
  if (all.length + warming.length === 0) return undefined;
  const entry = (e: SecretEntry): Msg => ({
    name: e.name,
    ...(e.source.kind === 'static' ? {} : { version_info: e.version }),
    last_updated: e.updated,
    secret: { '@type': SECRET_TYPE, ...redacted(e.raw) },
  });
  return {
    '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
    static_secrets: all.filter((e) => e.source.kind === 'static').map(entry),
    dynamic_active_secrets: all.filter((e) => e.source.kind !== 'static').map(entry),
    dynamic_warming_secrets: warming.map((name) => ({ name })),
  };
}

const DAY_MS = 24 * 3600 * 1000;

function details(pem: string, path: string, now: number): Msg {
  const c = new X509Certificate(pem);
  const sans = (c.subjectAltName ?? '')
    .split(/,\s*/)
    .filter(Boolean)
    .map((s) => {
      const i = s.indexOf(':');
      const kind = s.slice(0, i);
      const v = s.slice(i + 1);
      return kind === 'URI'
        ? { uri: v }
        : kind === 'DNS'
          ? { dns: v }
          : kind === 'IP Address'
            ? { ip_address: v }
            : { [kind]: v };
    });
  const expiry = new Date(c.validTo).getTime();
  return {
    path,
    serial_number: c.serialNumber.toLowerCase(),
    subject_alt_names: sans,
    days_until_expiration: String(Math.max(0, Math.floor((expiry - now) / DAY_MS))),
    valid_from: new Date(c.validFrom).toISOString().replace('.000', ''),
    expiration_time: new Date(expiry).toISOString().replace('.000', ''),
  };
}

/** Envoy's /certs shape, one entry per certificate or trust bundle secret. */
export function certsJson(m: SecretManager, now = Date.now()): Msg {
  const certificates = m.all().map((e) => {
    const path = e.source.kind === 'file' ? e.name.slice(e.name.indexOf(':') + 1).split('~')[0]! : '<inline>';
    const list = (pem: string | undefined): Msg[] => splitPem(pem ?? '').map((p) => details(p, path, now));
    return e.data.kind === 'tls_certificate'
      ? { ca_cert: [], cert_chain: list(e.data.certChain) }
      : { ca_cert: list(e.data.trustedCa), cert_chain: [] };
  });
  return { certificates };
}
