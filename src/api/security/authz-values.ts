// Value checks for AuthorizationPolicy sources, operations and `when` conditions: empty values,
// wildcards, service accounts, IPs/CIDRs, ports, path templates and condition keys
// (Istio pkg/config/security: CheckEmptyValues … ValidateAttribute).
import { cidrError } from '../common.js';
import type { Path, Sink } from '../schema/dsl.js';

type Check = (values: readonly string[], path: Path, sink: Sink, field: string) => void;

/** Each check reports at the offending item, e.g. spec.rules[0].to[0].operation.ports[1]. */
export const checkNonEmpty: Check = (values, path, sink, field) => {
  values.forEach((v, i) => {
    if (v === '') sink.error([...path, i], `empty value not allowed, found in ${field}`);
  });
};

/** Exact, prefix ("a*"), suffix ("*a") or presence ("*") matches only. */
export const checkWildcards: Check = (values, path, sink, field) => {
  values.forEach((v, i) => {
    const stars = v.split('*').length - 1;
    if (v === '') sink.error([...path, i], `empty value not allowed, found in ${field}`);
    else if (stars > 1)
      sink.error([...path, i], `at most one wildcard is allowed, found in ${field}: ${JSON.stringify(v)}`);
    else if (stars === 1 && !v.startsWith('*') && !v.endsWith('*'))
      sink.error(
        [...path, i],
        `wildcard is only allowed at the start or end, found in ${field}: ${JSON.stringify(v)}`,
      );
  });
};

export const checkTrustDomains: Check = (values, path, sink, field) => {
  checkWildcards(values, path, sink, field);
  values.forEach((v, i) => {
    if (v.includes('/'))
      sink.error([...path, i], `trust domain must not contain '/', found in ${field}: ${JSON.stringify(v)}`);
  });
};

const SA_FORMAT = "expected format 'serviceAccount' or 'namespace/serviceAccount'";

export const checkServiceAccounts: Check = (values, path, sink, field) => {
  if (values.length > 16) sink.error(path, `may not have more than 16 values, found in ${field}`);
  values.forEach((v, i) => {
    const at = [...path, i];
    const parts = v.split('/');
    if (v === '') sink.error(at, `empty value not allowed, found in ${field}`);
    else if (v.includes('*')) sink.error(at, `wildcard not allowed, found in ${field}`);
    else if (parts.length > 2) sink.error(at, `${SA_FORMAT}, found ${JSON.stringify(v)} in ${field}`);
    else if (v.length > 320)
      sink.error(at, `value cannot exceed 320 characters, found ${JSON.stringify(v)} in ${field}`);
    else if (parts.length === 2 && parts[0] === '')
      sink.error(at, `${SA_FORMAT}, found empty namespace ${JSON.stringify(v)} in ${field}`);
    else if (parts.length === 2 && parts[1] === '')
      sink.error(at, `${SA_FORMAT}, found empty serviceAccount ${JSON.stringify(v)} in ${field}`);
  });
};

export const checkIPs: Check = (values, path, sink) => {
  values.forEach((v, i) => {
    if (v === '') return; // reported by checkNonEmpty
    const e = cidrError(v);
    if (e)
      sink.error([...path, i], v.includes('/') ? `bad CIDR range (${v}): ${e}` : `bad IP address (${v})`);
  });
};

export const checkPorts: Check = (values, path, sink) => {
  values.forEach((v, i) => {
    if (v === '') return; // reported by checkNonEmpty
    if (!/^\d+$/.test(v) || Number(v) > 65535)
      sink.error([...path, i], `bad port (${v}): must be a number between 0 and 65535`);
  });
};

// RFC 3986 pchar, the literals Envoy's URI templates accept next to {*} and {**}.
const PCHAR = /^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$/;

/** `{*}` matches one segment, `{**}` any number and must be the last operator. */
export const checkPathTemplates: Check = (values, path, sink, field) => {
  values.forEach((raw, i) => {
    const templated = raw.includes('{*}') || raw.includes('{**}');
    const trimmed = raw.replace(/^\/+|\/+$/g, '');
    let sawAny = false;
    for (const seg of trimmed.split('/')) {
      const op = seg === '{*}' || seg === '{**}';
      let problem: string | undefined;
      if (op && sawAny) problem = '{**} is not the last operator';
      else if (op) sawAny ||= seg === '{**}';
      else if (/[{}]/.test(seg)) problem = "Contains '{' or '}' beyond a supported path template";
      else if (templated && !PCHAR.test(seg)) problem = `Contains segment ${seg} with invalid string literal`;
      if (problem) {
        sink.error([...path, i], `invalid or unsupported path ${trimmed}, found in ${field}. ${problem}`);
        return;
      }
    }
  });
};

/** `name[key]` with a non-empty key, as request.headers[...] and claims use. */
function mapKeyError(key: string): string | undefined {
  const open = key.indexOf('[');
  return key.endsWith(']') && open > 0 && open < key.length - 2
    ? undefined
    : `bad key (${key}): should have format a[b]`;
}

const noValueCheck: Check = () => {};

const EXACT_KEYS = new Map<string, Check>(
  Object.entries({
    'source.ip': checkIPs,
    'remote.ip': checkIPs,
    'source.namespace': noValueCheck,
    'source.serviceAccount': checkServiceAccounts,
    'source.principal': noValueCheck,
    'source.trustDomain': checkWildcards,
    'request.auth.principal': noValueCheck,
    'request.auth.audiences': noValueCheck,
    'request.auth.presenter': noValueCheck,
    'destination.ip': checkIPs,
    'destination.port': checkPorts,
    'connection.sni': noValueCheck,
  }),
);

/**
 * The value check for a `when` key, or an error message when the key is not a supported
 * attribute. Keys are the v1beta1 attribute names (Istio security.ValidateAttribute).
 */
export function conditionKeyCheck(key: string): Check | string {
  const found = EXACT_KEYS.get(key);
  if (found) return found;
  for (const prefix of ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'])
    if (key.startsWith(prefix)) return mapKeyError(key) ?? noValueCheck;
  if (key === 'destination.namespace') return `attribute ${key} is replaced by the metadata.namespace`;
  if (key.startsWith('destination.labels')) return `attribute ${key} is replaced by the workload selector`;
  if (key === 'destination.name' || key === 'destination.user')
    return `deprecated attribute ${key}: only supported in v1alpha1`;
  return `unknown attribute: ${key}`;
}
