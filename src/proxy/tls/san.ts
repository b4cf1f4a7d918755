// Subject alternative names of a peer certificate, and Envoy's SAN matching:
// match_typed_subject_alt_names (san_type + StringMatcher) and the older match_subject_alt_names
// (a StringMatcher against every SAN). No matcher means any SAN is accepted.
import type { PeerCertificate } from 'node:tls';
import { uriSans } from '../../ca/spiffe.js';
import { ConfigError, type Msg } from '../config/proto.js';
import { compileStringMatcher, type StringPredicate } from '../router/match/string.js';

export interface Sans {
  uri: string[];
  dns: string[];
  email: string[];
  ip: string[];
}

const ofType = (s: string | undefined, prefix: string): string[] =>
  (s ?? '')
    .split(/,\s*/)
    .filter((x) => x.startsWith(prefix))
    .map((x) => x.slice(prefix.length));

/** Node's subjectaltname string ("DNS:a, URI:spiffe://…, IP Address:…") by type. */
export function parseSans(subjectAltName: string | undefined): Sans {
  return {
    uri: uriSans(subjectAltName),
    dns: ofType(subjectAltName, 'DNS:'),
    email: ofType(subjectAltName, 'email:'),
    ip: ofType(subjectAltName, 'IP Address:'),
  };
}

/** DNS SAN matching as Envoy does it for exact matchers: a "*." SAN covers one label. */
function dnsMatch(pred: StringPredicate, exact: string | undefined, san: string): boolean {
  if (pred(san)) return true;
  if (exact === undefined || !san.startsWith('*.')) return false;
  const dot = exact.indexOf('.');
  return dot > 0 && exact.slice(dot) === san.slice(1);
}

export type SanVerifier = (cert: PeerCertificate) => boolean;

const TYPES = { DNS: 'dns', URI: 'uri', EMAIL: 'email', IP_ADDRESS: 'ip' } as const;

/** Compiles a CertificateValidationContext's SAN matchers; undefined when it has none. */
export function compileSanMatchers(v: Msg, path: string): SanVerifier | undefined {
  const checks: ((s: Sans) => boolean)[] = [];
  ((v.match_typed_subject_alt_names ?? []) as Msg[]).forEach((m, i) => {
    const p = `${path}.match_typed_subject_alt_names[${i}]`;
    const kind = TYPES[m.san_type as keyof typeof TYPES];
    if (!kind) throw new ConfigError(`${p}.san_type`, `unsupported SAN type ${m.san_type}`);
    if (!m.matcher) throw new ConfigError(`${p}.matcher`, 'a matcher is required');
    const pred = compileStringMatcher(m.matcher, `${p}.matcher`);
    const exact = m.matcher.exact as string | undefined;
    checks.push(
      kind === 'dns' ? (s) => s.dns.some((d) => dnsMatch(pred, exact, d)) : (s) => s[kind].some(pred),
    );
  });
  ((v.match_subject_alt_names ?? []) as Msg[]).forEach((m, i) => {
    const pred = compileStringMatcher(m, `${path}.match_subject_alt_names[${i}]`);
    const exact = m.exact as string | undefined;
    checks.push(
      (s) => s.dns.some((d) => dnsMatch(pred, exact, d)) || [...s.uri, ...s.email, ...s.ip].some(pred),
    );
  });
  if (checks.length === 0) return undefined;
  return (cert) => {
    const s = parseSans(cert.subjectaltname);
    return checks.some((c) => c(s));
  };
}
