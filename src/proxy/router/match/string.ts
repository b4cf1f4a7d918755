// envoy.type.matcher.v3.StringMatcher (exact, prefix, suffix, contains, safe_regex, ignore_case).
import { ConfigError, type Msg } from '../../config/proto.js';
import { compileRegex } from './regex.js';

export type StringPredicate = (s: string) => boolean;

export function compileStringMatcher(m: Msg, path: string): StringPredicate {
  const ic = Boolean(m.ignore_case);
  const norm = (s: string): string => (ic ? s.toLowerCase() : s);
  if (m.exact !== undefined) {
    const v = norm(m.exact);
    return ic ? (s) => s.toLowerCase() === v : (s) => s === v;
  }
  if (m.prefix !== undefined) {
    const v = norm(m.prefix);
    return (s) => norm(s).startsWith(v);
  }
  if (m.suffix !== undefined) {
    const v = norm(m.suffix);
    return (s) => norm(s).endsWith(v);
  }
  if (m.contains !== undefined) {
    const v = norm(m.contains);
    return (s) => norm(s).includes(v);
  }
  if (m.safe_regex !== undefined) {
    const re = compileRegex(m.safe_regex, `${path}.safe_regex`);
    return (s) => re.full(s);
  }
  throw new ConfigError(path, 'string matcher needs one of exact, prefix, suffix, contains, safe_regex');
}
