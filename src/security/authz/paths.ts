// Path permissions: Istio's `*` prefix/suffix syntax as url_path, and path templates (`{*}`, `{**}`)
// as Envoy's uri_template matcher extension.
import { MessageName, typedConfig, type Json } from '../envoy.js';
import { stringMatcher } from '../matchers.js';

const MATCH_ONE = '{*}';
const MATCH_ANY = '{**}';

export const containsPathTemplate = (path: string): boolean =>
  path.includes(MATCH_ONE) || path.includes(MATCH_ANY);

export function pathPermission(path: string): Json {
  if (!containsPathTemplate(path)) return { url_path: { path: stringMatcher(path) } };
  const template = path.replaceAll(MATCH_ANY, '**').replaceAll(MATCH_ONE, '*');
  return {
    uri_template: {
      name: 'uri-template',
      typed_config: typedConfig(MessageName.uriTemplate, { path_template: template }),
    },
  };
}
