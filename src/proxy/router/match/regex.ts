// RE2 semantics for safe_regex (envoy.type.matcher.v3.RegexMatcher) via re2js: linear-time
// matching, rejects what RE2 rejects. Envoy's substitutions use \N for groups; re2js uses $N.
import { RE2JS } from 're2js';
import { ConfigError, type Msg } from '../../config/proto.js';

export interface CompiledRegex {
  /** the whole input must match (Envoy safe_regex semantics) */
  full(s: string): boolean;
  /** replace every match, substitution in Envoy's \N syntax */
  replaceAll(s: string, substitution: string): string;
}

export function compileRegex(m: Msg | undefined, path: string, ignoreCase = false): CompiledRegex {
  const src = m?.regex as string | undefined;
  if (src === undefined) throw new ConfigError(path, 'regex is required');
  let re: RE2JS;
  try {
    re = RE2JS.compile(src, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    throw new ConfigError(path, `invalid regex "${src}": ${(e as Error).message}`);
  }
  return {
    full: (s) => re.testExact(s),
    replaceAll: (s, sub) => re.matcher(s).replaceAll(sub.replace(/\$/g, '\\$').replace(/\\(\d)/g, '$$$1')),
  };
}
