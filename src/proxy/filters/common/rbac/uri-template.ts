// envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig (RBAC uri_template, Istio's
// `{*}`/`{**}` paths): the template becomes an RE2 regex over the path without query —
// `*` one non-empty segment, `**` any run of segment characters including '/', `{v}` / `{v=…}`
// variables the same, everything else literal.
import { RE2JS } from 're2js';
import { ConfigError, type Msg } from '../../../config/proto.js';
import { pathWithoutQuery } from '../../../router/match/request.js';

const SEGMENT = "[a-zA-Z0-9-._~%!$&'()+,;:@=]";
const ONE = `${SEGMENT}+`;
const MANY = `(?:${SEGMENT}|/)*`;

function compilePattern(t: string, path: string, inVariable: boolean): string {
  let out = '';
  for (let i = 0; i < t.length;) {
    if (t.startsWith('**', i)) {
      out += MANY;
      i += 2;
    } else if (t[i] === '*') {
      out += ONE;
      i += 1;
    } else if (t[i] === '{') {
      const close = t.indexOf('}', i);
      if (inVariable || close < 0) throw new ConfigError(path, `invalid variable in path template "${t}"`);
      const body = t.slice(i + 1, close);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(name))
        throw new ConfigError(path, `invalid variable name "${name}"`);
      out += eq >= 0 ? `(?:${compilePattern(body.slice(eq + 1), path, true)})` : ONE;
      i = close + 1;
    } else {
      out += RE2JS.quote(t[i]!);
      i += 1;
    }
  }
  return out;
}

export function compileUriTemplate(cfg: Msg, path: string): (urlPath: string) => boolean {
  const url = cfg.typed_config?.['@type'] as string | undefined;
  if (url !== 'type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig')
    throw new ConfigError(`${path}.typed_config`, `unsupported uri_template extension ${url ?? ''}`);
  const t = cfg.typed_config.path_template as string | undefined;
  if (!t?.startsWith('/')) throw new ConfigError(`${path}.path_template`, 'path_template must start with /');
  const re = RE2JS.compile(compilePattern(t, `${path}.path_template`, false));
  return (p) => re.testExact(pathWithoutQuery(p).split('#', 1)[0]!);
}
