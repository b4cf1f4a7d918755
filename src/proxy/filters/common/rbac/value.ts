// envoy.type.matcher.v3.MetadataMatcher and ValueMatcher over dynamic metadata held as plain JSON
// (Struct → object, ListValue → array): null, double (exact/range), string, bool, present,
// list_match (one element matches) and or_match.
import { ConfigError, type Msg } from '../../../config/proto.js';
import { compileStringMatcher } from '../../../router/match/string.js';

export type ValuePredicate = (v: unknown) => boolean;

export function compileValueMatcher(m: Msg, path: string): ValuePredicate {
  if (m.null_match !== undefined) return (v) => v === null;
  if (m.double_match !== undefined) {
    const d = m.double_match as Msg;
    if (d.range) {
      const start = Number(d.range.start ?? 0);
      const end = Number(d.range.end ?? 0);
      return (v) => typeof v === 'number' && v >= start && v < end;
    }
    const exact = Number(d.exact ?? 0);
    return (v) => v === exact;
  }
  if (m.string_match !== undefined) {
    const s = compileStringMatcher(m.string_match, `${path}.string_match`);
    return (v) => typeof v === 'string' && s(v);
  }
  if (m.bool_match !== undefined) {
    const b = Boolean(m.bool_match);
    return (v) => v === b;
  }
  if (m.present_match !== undefined) {
    const want = Boolean(m.present_match);
    return (v) => want && v !== undefined;
  }
  if (m.list_match !== undefined) {
    if (!m.list_match.one_of) throw new ConfigError(`${path}.list_match`, 'one_of is required');
    const one = compileValueMatcher(m.list_match.one_of, `${path}.list_match.one_of`);
    return (v) => Array.isArray(v) && v.some(one);
  }
  if (m.or_match !== undefined) {
    const all = ((m.or_match.value_matchers ?? []) as Msg[]).map((x, i) =>
      compileValueMatcher(x, `${path}.or_match.value_matchers[${i}]`),
    );
    return (v) => all.some((p) => p(v));
  }
  throw new ConfigError(path, 'value matcher needs one match specifier');
}

export type MetadataPredicate = (
  metadata: (filter: string) => Record<string, unknown> | undefined,
) => boolean;

export function compileMetadataMatcher(m: Msg, path: string): MetadataPredicate {
  const filter = m.filter as string | undefined;
  if (!filter) throw new ConfigError(`${path}.filter`, 'filter is required');
  const keys = ((m.path ?? []) as Msg[]).map((s, i) => {
    if (typeof s.key !== 'string' || !s.key)
      throw new ConfigError(`${path}.path[${i}].key`, 'key is required');
    return s.key;
  });
  if (keys.length === 0) throw new ConfigError(`${path}.path`, 'at least one path segment is required');
  if (!m.value) throw new ConfigError(`${path}.value`, 'value is required');
  const value = compileValueMatcher(m.value, `${path}.value`);
  const invert = Boolean(m.invert);
  return (metadata) => {
    let v: unknown = metadata(filter);
    for (const k of keys)
      v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Msg)[k] : undefined;
    return value(v) !== invert;
  };
}
