// Every Envoy filter config Istio generates for AuthorizationPolicy (its builder golden outputs in
// ../shared/testdata/istio-authz-rbac-golden) goes through the proxy's own filter parsers, in the
// shape xDS delivers it (encoded and decoded as protobuf): none may be rejected.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import jsyaml from 'js-yaml';
import { httpFilterByTypeUrl, networkFilterByTypeUrl } from '../../../src/proxy/filters/registry.js';
import { decodeMessage, encodeMessage, lookupType } from '../../../src/xds/proto/root.js';
import { messageName } from '../../../src/xds/type-urls.js';
import { fromProtoJson } from '../../golden/protojson.js';
import type { ProxyContext } from '../../../src/proxy/context.js';

const DIR = new URL('../../../../shared/testdata/istio-authz-rbac-golden/', import.meta.url).pathname;
const files = ['http', 'tcp'].flatMap((d) =>
  readdirSync(join(DIR, d))
    .filter((f) => /-out\d*\.yaml$/.test(f))
    .map((f) => join(d, f)),
);

/** Istio's proto3 JSON → the decoded shape the proxy's xDS client hands to filter parsers. */
function asDelivered(typed: Record<string, unknown>): { url: string; config: Record<string, unknown> } {
  const { '@type': url, ...rest } = typed as { '@type': string };
  const name = messageName(url);
  const bytes = encodeMessage(name, fromProtoJson(lookupType(name), rest));
  return { url, config: decodeMessage(name, bytes) };
}

test('the golden set is there', () => assert.ok(files.length >= 38, `${files.length} files`));

for (const f of files)
  test(`parses ${f}`, () => {
    const doc = jsyaml.load(readFileSync(join(DIR, f), 'utf8')) as { typedConfig: Record<string, unknown> };
    const { url, config } = asDelivered(doc.typedConfig);
    const factory = f.startsWith('tcp/') ? networkFilterByTypeUrl(url) : httpFilterByTypeUrl(url);
    assert.ok(factory, `no filter registered for ${url}`);
    factory.parse(config, 'typed_config', {} as ProxyContext);
  });
