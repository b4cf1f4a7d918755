// Envoy matcher JSON (envoy.type.matcher.v3 StringMatcher/ValueMatcher/MetadataMatcher and
// route.v3 HeaderMatcher) built from Istio's value syntax: `*` alone, `prefix*` and `*suffix`
// (Istio pilot/pkg/security/authz/matcher).
import type { Json } from './envoy.js';

/** Go regexp.QuoteMeta: escapes \.+*?()|[]{}^$ */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

export const regexMatcher = (regex: string): Json => ({ safe_regex: { regex } });

const withCase = (m: Json, ignoreCase: boolean): Json => (ignoreCase ? { ...m, ignore_case: true } : m);
export const exactMatcher = (exact: string, ignoreCase = false): Json => withCase({ exact }, ignoreCase);
export const prefixMatcher = (prefix: string, ignoreCase = false): Json => withCase({ prefix }, ignoreCase);
export const suffixMatcher = (suffix: string, ignoreCase = false): Json => withCase({ suffix }, ignoreCase);

/**
 * A StringMatcher for an Istio value, with `prefix` prepended to the literal part: `*` is any
 * non-empty value, `*x` a suffix (a regex when there is a prefix), `x*` a prefix, else exact.
 */
export function stringMatcher(value: string, prefix = ''): Json {
  if (value === '*') return regexMatcher('.+');
  if (value.startsWith('*')) {
    const rest = value.slice(1);
    return prefix === '' ? suffixMatcher(rest) : regexMatcher(`${prefix}.*${quoteMeta(rest)}`);
  }
  if (value.endsWith('*')) return prefixMatcher(prefix + value.slice(0, -1));
  return exactMatcher(prefix + value);
}

function headerWith(name: string, value: string, ignoreCase: boolean): Json {
  if (value === '*') return { name, present_match: true };
  if (value.startsWith('*')) return { name, string_match: suffixMatcher(value.slice(1), ignoreCase) };
  if (value.endsWith('*')) return { name, string_match: prefixMatcher(value.slice(0, -1), ignoreCase) };
  return { name, string_match: exactMatcher(value, ignoreCase) };
}

/** HeaderMatcher with case-sensitive value matching; `*` means the header is present. */
export const headerMatcher = (name: string, value: string): Json => headerWith(name, value, false);

/** HeaderMatcher for hosts (:authority), matched case-insensitively. */
export const hostMatcher = (name: string, value: string): Json => headerWith(name, value, true);

/**
 * The same as a case-insensitive regex, for Envoy before HeaderMatcher.string_match (proxies of
 * Istio before 1.11).
 */
export function hostRegexMatcher(name: string, value: string): Json {
  if (value === '*') return { name, present_match: true };
  const literal = quoteMeta(value.replace(/^\*|\*$/g, ''));
  const regex = value.startsWith('*') ? `.*${literal}` : value.endsWith('*') ? `${literal}.*` : literal;
  return { name, safe_regex_match: { regex: `(?i)${regex}` } };
}

export const stringValueMatcher = (m: Json): Json => ({ string_match: m });

/** One ValueMatcher, or an or_match over several. */
export function orValueMatcher(matchers: Json[]): Json {
  return matchers.length === 1 ? matchers[0]! : { or_match: { value_matchers: matchers } };
}

export const stringOrMatcher = (values: readonly string[]): Json =>
  orValueMatcher(values.map((v) => stringValueMatcher(stringMatcher(v))));

const keyPath = (keys: readonly string[]): Json[] => keys.map((key) => ({ key }));

/** MetadataMatcher on `filter` at a key path. */
export function metadataMatcher(filterName: string, keys: readonly string[], value: Json): Json {
  return { filter: filterName, path: keyPath(keys), value };
}

/**
 * MetadataMatcher for a value that may be a list: a list whose one element matches; with
 * `orScalar` also a scalar that matches (JWT claims may be either).
 */
export function metadataListMatcher(
  filterName: string,
  keys: readonly string[],
  value: Json,
  orScalar: boolean,
): Json {
  const list = { list_match: { one_of: value } };
  return metadataMatcher(filterName, keys, orScalar ? { or_match: { value_matchers: [list, value] } } : list);
}

/** "10.0.0.0/8" or "10.1.2.3" as an Envoy CidrRange (a bare address is a /32 or /128). */
export function cidrRange(value: string): Json {
  const [address, len] = value.split('/') as [string, string | undefined];
  const full = address.includes(':') ? 128 : 32;
  const prefixLen = len === undefined ? full : Number(len);
  if (!/^[0-9a-fA-F:.]+$/.test(address) || !Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > full)
    throw new Error(`invalid IP address or CIDR ${JSON.stringify(value)}`);
  return { address_prefix: address, prefix_len: { value: prefixLen } };
}
