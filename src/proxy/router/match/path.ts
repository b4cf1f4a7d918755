// RouteMatch path specifiers: prefix, path, safe_regex, path_separated_prefix, connect_matcher.
import { ConfigError, type Msg } from '../../config/proto.js';
import { compileRegex } from './regex.js';
import { pathWithoutQuery, type MatchRequest } from './request.js';

export interface PathMatch {
  readonly kind: 'prefix' | 'path' | 'safe_regex' | 'path_separated_prefix' | 'connect';
  /** the matched prefix/path, for prefix_rewrite */
  readonly value: string;
  matches(r: MatchRequest): boolean;
}

export function compilePathMatch(m: Msg, path: string): PathMatch {
  const cs = m.case_sensitive?.value ?? true;
  const lc = (s: string): string => (cs ? s : s.toLowerCase());
  if (m.prefix !== undefined) {
    const v = lc(m.prefix as string);
    return { kind: 'prefix', value: m.prefix, matches: (r) => lc(r.path).startsWith(v) };
  }
  if (m.path !== undefined) {
    const v = lc(m.path as string);
    return { kind: 'path', value: m.path, matches: (r) => lc(pathWithoutQuery(r.path)) === v };
  }
  if (m.safe_regex !== undefined) {
    const re = compileRegex(m.safe_regex, `${path}.safe_regex`, !cs);
    return { kind: 'safe_regex', value: '', matches: (r) => re.full(pathWithoutQuery(r.path)) };
  }
  if (m.path_separated_prefix !== undefined) {
    const v = lc(m.path_separated_prefix as string);
    if (v.includes('?') || v.includes('#') || v.endsWith('/'))
      throw new ConfigError(`${path}.path_separated_prefix`, 'must not contain ?, # or end with /');
    return {
      kind: 'path_separated_prefix',
      value: m.path_separated_prefix,
      matches: (r) => {
        const p = lc(pathWithoutQuery(r.path));
        return p === v || (p.startsWith(v) && p.charCodeAt(v.length) === 47);
      },
    };
  }
  if (m.connect_matcher !== undefined)
    return { kind: 'connect', value: '', matches: (r) => r.method === 'CONNECT' };
  throw new ConfigError(path, 'route match needs one of prefix, path, safe_regex, path_separated_prefix');
}
