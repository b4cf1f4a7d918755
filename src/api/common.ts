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

export function ipError(s: string): string | undefined {
  return isIP(s) === 0 ? `${s} is not a valid IP` : undefined;
}

/** An IP address or a CIDR block, v4 or v6 (Istio's agent.ValidateIPSubnet). */
export function cidrError(s: string): string | undefined {
  const parts = s.split('/');
  if (parts.length === 2) {
    const [ip, bits] = parts as [string, string];
    const fam = isIP(ip);
    const max = fam === 6 ? 128 : 32;
    if (fam === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > max) return `${s} is not a valid CIDR block`;
    return undefined;
  }
  return ipError(s);
}

/** Istio's DNS-1123 label for host names accepts upper case (labels.dns1123LabelFmt). */
export const DNS_LABEL = '[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?';
const DNS_LABEL_RE = new RegExp(`^${DNS_LABEL}$`);
export const isDnsLabel = (s: string): boolean => s.length <= 63 && DNS_LABEL_RE.test(s);

// A wildcard label is "*", "*<label>" or "*-<label>".
const WILDCARD_LABEL_RE = new RegExp(`^(\\*|(\\*|\\*-)?${DNS_LABEL})$`);

function hostPreconditionError(name: string): string | undefined {
  if (name.length > 255) return `domain name "${name}" too long (max 255)`;
  if (name.length === 0) return 'empty domain name not allowed';
  return undefined;
}

/** DNS-1123 labels of `domain`; messages name `shown`, the whole host the user wrote. */
function hostLabelsError(domain: string, shown = domain): string | undefined {
  const parts = domain.split('.');
  const tld = parts[parts.length - 1]!;
  if (/^[+-]?\d+$/.test(tld))
    return `domain name "${shown}" invalid (top level domain "${tld}" cannot be all-numeric)`;
  for (let i = 0; i < parts.length; i++) {
    if (i === parts.length - 1 && parts[i] === '') return undefined; // "istio.io." is unambiguous
    if (!isDnsLabel(parts[i]!)) return `domain name "${shown}" invalid (label "${parts[i]}" invalid)`;
  }
  return undefined;
}

/** A fully qualified or short host name with no wildcard (Istio's ValidateFQDN). */
export function fqdnError(fqdn: string): string | undefined {
  return hostPreconditionError(fqdn) ?? hostLabelsError(fqdn);
}

/** A host whose first label may be a wildcard: "*", "*.example.com", "*x.example.com" (ValidateWildcardDomain). */
export function wildcardDomainError(domain: string): string | undefined {
  const pre = hostPreconditionError(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!(first.length <= 63 && WILDCARD_LABEL_RE.test(first)))
    return `domain name "${domain}" invalid (label "${first}" invalid)`;
  return dot < 0 ? undefined : hostLabelsError(domain.slice(dot + 1), domain);
}
