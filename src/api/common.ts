// Building blocks shared by many Istio kinds: names, labels, selectors, target refs, ports,
// hosts, IPs and CIDRs — with the rules Istio's validation applies to each.
import { isIP } from 'node:net';
import { arr, int, map, obj, str, type Path, type Sink, type Schema, type Infer } from './schema/dsl.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** Kubernetes label key: optional DNS-subdomain prefix and a qualified name. */
export function labelKeyError(key: string): string | undefined {
  if (key === '') return 'label key must not be empty';
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix))
    return `invalid label key ${JSON.stringify(key)}: prefix must be a DNS-1123 subdomain`;
  if (name.length > 63 || !QUALIFIED_NAME.test(name))
    return `invalid label key ${JSON.stringify(key)}: name part must be 63 characters or less, start and end with an alphanumeric character, and contain only [-A-Za-z0-9_.]`;
  return undefined;
}

export function labelValueError(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value))
    return `invalid label value ${JSON.stringify(value)}: must be 63 characters or less, empty or begin and end with an alphanumeric character, and contain only [-A-Za-z0-9_.]`;
  return undefined;
}

/** A map of labels with Kubernetes key/value syntax; wildcards are not allowed (Istio). */
export const labels = (): Schema<Record<string, string>> =>
  map(str()).refine((m, path, sink) => {
    for (const [k, v] of Object.entries(m)) {
      if (k.includes('*')) sink.error([...path, k], 'wildcard not allowed in label key match');
      else {
        const e = labelKeyError(k);
        if (e) sink.error([...path, k], e);
      }
      if (v.includes('*')) sink.error([...path, k], 'wildcard not allowed in label value match');
      else {
        const e = labelValueError(v);
        if (e) sink.error([...path, k], e);
      }
    }
  });

/** istio.type.v1beta1.WorkloadSelector */
export const WorkloadSelector = obj({
  matchLabels: labels().refine((m, path, sink) => {
    for (const k of Object.keys(m)) if (k === '') sink.error(path, 'key must not be empty');
  }),
});
export type WorkloadSelector = Infer<typeof WorkloadSelector>;

/** istio.type.v1beta1.PolicyTargetReference */
export const PolicyTargetReference = obj(
  {
    group: str({
      maxLength: 253,
      pattern: /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    }),
    kind: str({ minLength: 1, maxLength: 63, pattern: /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/ }),
    name: str({ minLength: 1, maxLength: 253 }),
    namespace: str(),
  },
  { required: ['kind', 'name'] },
).refine((ref, path, sink) => {
  if (ref.namespace)
    sink.error([...path, 'namespace'], 'cross namespace referencing is not currently supported');
});
export type PolicyTargetReference = Infer<typeof PolicyTargetReference>;

export const portNumber = (): Schema<number> =>
  int().refine((p, path, sink) => {
    if (p < 1 || p > 65535) sink.error(path, `port must be between 1-65535, got ${p}`);
  });

export function checkPort(p: number, path: Path, sink: Sink): void {
  if (!Number.isInteger(p) || p < 1 || p > 65535) sink.error(path, `port must be between 1-65535, got ${p}`);
}

/** A list of labels-style selectors, as used by several kinds. */
export const stringList = (opts?: { minItems?: number }): Schema<string[]> => arr(str(), opts);

export function isIPAddress(s: string): boolean {
  return isIP(s) !== 0;
}

/** An IP address or CIDR block (v4 or v6); returns an error message or undefined. */
export function cidrError(s: string): string | undefined {
  const slash = s.indexOf('/');
  const ip = slash >= 0 ? s.slice(0, slash) : s;
  const family = isIP(ip);
  if (family === 0) return `${JSON.stringify(s)} is not a valid IP address or CIDR`;
  if (slash >= 0) {
    const bits = s.slice(slash + 1);
    const max = family === 4 ? 32 : 128;
    if (!/^\d+$/.test(bits) || Number(bits) > max)
      return `${JSON.stringify(s)} has an invalid prefix length (0-${max})`;
  }
  return undefined;
}

/**
 * Istio host names: an FQDN or short name, optionally with a leading "*." wildcard, or "*".
 * Returns an error message or undefined (Istio's ValidateWildcardDomain).
 */
export function wildcardDomainError(host: string): string | undefined {
  if (host.length === 0) return 'domain name cannot be empty';
  if (host.length > 255) return `domain name ${JSON.stringify(host)} too long (max 255)`;
  if (host === '*') return undefined;
  const rest = host.startsWith('*.') ? host.slice(2) : host.startsWith('*') ? host.slice(1) : host;
  if (rest.length === 0) return undefined;
  const labelsList = rest.replace(/\.$/, '').split('.');
  for (const l of labelsList) {
    if (l.includes('*'))
      return `domain name ${JSON.stringify(host)} invalid (wildcard only allowed as the first label, "*." prefix)`;
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?$/.test(l))
      return `domain name ${JSON.stringify(host)} invalid (label ${JSON.stringify(l)} is not a DNS-1123 label)`;
  }
  return undefined;
}

/** A hostname that must not carry a wildcard (ServiceEntry with NONE/DNS, WorkloadEntry address…). */
export function fqdnError(host: string): string | undefined {
  if (host.includes('*')) return 'hostname cannot be wildcard';
  return wildcardDomainError(host);
}
