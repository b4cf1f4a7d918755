// envoy.config.route.v3.QueryParameterMatcher: string_match or present_match on the first value.
import { ConfigError, type Msg } from '../../config/proto.js';
import type { RequestPredicate } from './header.js';
import { queryString } from './request.js';
import { compileStringMatcher } from './string.js';

export function queryParam(path: string, name: string): string | undefined {
  const qs = queryString(path);
  if (!qs) return undefined;
  for (const part of qs.split('&')) {
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    if (safeDecode(k) === name) return eq < 0 ? '' : safeDecode(part.slice(eq + 1));
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function compileQueryMatcher(q: Msg, path: string): RequestPredicate {
  const name = q.name as string | undefined;
  if (!name) throw new ConfigError(`${path}.name`, 'query parameter name is required');
  if (q.string_match) {
    const pred = compileStringMatcher(q.string_match, `${path}.string_match`);
    return (r) => {
      const v = queryParam(r.path, name);
      return v !== undefined && pred(v);
    };
  }
  return (r) => queryParam(r.path, name) !== undefined;
}
