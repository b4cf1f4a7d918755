// envoy.config.route.v3.HeaderMatcher: string_match and the legacy *_match fields,
// present_match, range_match, invert_match, treat_missing_header_as_empty.
import { ConfigError, type Msg } from '../../config/proto.js';
import { compileRegex } from './regex.js';
import type { MatchRequest } from './request.js';
import { compileStringMatcher, type StringPredicate } from './string.js';

export type RequestPredicate = (r: MatchRequest) => boolean;

function valuePredicate(h: Msg, path: string): StringPredicate | 'present' {
  if (h.string_match) return compileStringMatcher(h.string_match, `${path}.string_match`);
  if (h.exact_match !== undefined) return (s) => s === h.exact_match;
  if (h.prefix_match !== undefined) return (s) => s.startsWith(h.prefix_match);
  if (h.suffix_match !== undefined) return (s) => s.endsWith(h.suffix_match);
  if (h.contains_match !== undefined) return (s) => s.includes(h.contains_match);
  if (h.safe_regex_match !== undefined) {
    const re = compileRegex(h.safe_regex_match, `${path}.safe_regex_match`);
    return (s) => re.full(s);
  }
  if (h.range_match !== undefined) {
    const start = Number(h.range_match.start ?? 0);
    const end = Number(h.range_match.end ?? 0);
    return (s) => /^-?\d+$/.test(s) && Number(s) >= start && Number(s) < end;
  }
  if (h.present_match !== undefined) return 'present';
  // No match specifier: Envoy treats the matcher as "header is present".
  return 'present';
}

export function compileHeaderMatcher(h: Msg, path: string): RequestPredicate {
  const name = (h.name as string | undefined)?.toLowerCase();
  if (!name) throw new ConfigError(`${path}.name`, 'header name is required');
  const invert = Boolean(h.invert_match);
  const missingAsEmpty = Boolean(h.treat_missing_header_as_empty);
  const pred = valuePredicate(h, path);
  if (pred === 'present') {
    const want = h.present_match ?? true;
    return (r) => ((r.header(name) !== undefined) === want) !== invert;
  }
  return (r) => {
    let v = r.header(name);
    if (v === undefined) {
      if (!missingAsEmpty) return invert;
      v = '';
    }
    return pred(v) !== invert;
  };
}
