// envoy.filters.http.cors with the policy Istio sends per route (typed_per_filter_config
// CorsPolicy): preflight answered locally with the allow-* headers, simple requests forwarded
// with allow-origin/credentials/expose-headers, disallowed origins get no CORS headers, a
// virtual host policy applies to its routes, filter_enabled 0% turns it off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, tempLog, type CountingUpstream } from './fixtures.js';

const POLICY = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';

describe('cors filter', () => {
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  before(async () => {
    up = await countingUpstream();
    px = await startProxy(
      bootstrap({
        log: tempLog(),
        filters: `
- name: envoy.filters.http.cors
  typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}`,
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  typed_per_filter_config:
    envoy.filters.http.cors:
      "@type": ${POLICY}
      allow_origin_string_match: [{exact: "https://vh.example"}]
      allow_methods: GET
  routes:
  - match: {prefix: /off}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.cors:
        "@type": ${POLICY}
        allow_origin_string_match: [{exact: "https://a.example"}]
        filter_enabled: {default_value: {numerator: 0}}
  - match: {prefix: /api}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.cors:
        "@type": ${POLICY}
        allow_origin_string_match: [{exact: "https://a.example"}, {prefix: "https://b."}]
        allow_methods: GET,POST
        allow_headers: content-type,x-token
        expose_headers: x-upstream
        max_age: "86400"
        allow_credentials: true
  - match: {prefix: /}
    route: {cluster: backend}`,
        clusters: staticCluster('backend', [up.port]),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('preflight from an allowed origin: 200 locally with the allow-* headers', async () => {
    const before = up.seen.length;
    const r = await request(port, '/api/x', {
      method: 'OPTIONS',
      headers: { origin: 'https://b.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], 'https://b.example');
    assert.equal(r.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(r.headers['access-control-allow-headers'], 'content-type,x-token');
    assert.equal(r.headers['access-control-max-age'], '86400');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    assert.equal(up.seen.length, before);
  });

  it('a simple request is forwarded and its response gets allow-origin and expose-headers', async () => {
    const r = await request(port, '/api/y', { headers: { origin: 'https://a.example' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], 'https://a.example');
    assert.equal(r.headers['access-control-expose-headers'], 'x-upstream');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
  });

  it('a disallowed origin gets no CORS headers; its preflight goes upstream', async () => {
    const r = await request(port, '/api/z', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    assert.ok(up.seen.some((s) => s.url === '/api/z'));
    assert.ok((await stat(px.admin, 'http.ingress.cors.origin_invalid'))! >= 1);
  });

  it('the virtual host policy applies to routes without their own; filter_enabled 0% is off', async () => {
    const vh = await request(port, '/other', { headers: { origin: 'https://vh.example' } });
    assert.equal(vh.headers['access-control-allow-origin'], 'https://vh.example');
    const off = await request(port, '/off', { headers: { origin: 'https://a.example' } });
    assert.equal(off.headers['access-control-allow-origin'], undefined);
  });
});
