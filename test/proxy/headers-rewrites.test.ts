// Header mutations (append_action at route, virtual host and route-config level), path and host
// rewrites, redirects and direct responses — checked at the upstream and at the client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  httpBootstrap,
  request,
  startProxy,
  startUpstream,
  staticCluster,
  type Echo,
  type Running,
} from './helpers.js';

describe('header mutations and rewrites', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    up = await startUpstream();
    px = await startProxy(
      httpBootstrap(
        `
request_headers_to_add: [{header: {key: x-config, value: cfg}}]
response_headers_to_add: [{header: {key: x-resp-config, value: cfg}}]
virtual_hosts:
- name: all
  domains: ["*"]
  request_headers_to_add: [{header: {key: x-vhost, value: vh}}]
  routes:
  - match: {prefix: /hdr}
    route: {cluster: backend}
    request_headers_to_add:
    - {header: {key: x-append, value: added}}
    - {header: {key: x-absent, value: new}, append_action: ADD_IF_ABSENT}
    - {header: {key: x-over, value: replaced}, append_action: OVERWRITE_IF_EXISTS_OR_ADD}
    - {header: {key: x-only-if, value: replaced}, append_action: OVERWRITE_IF_EXISTS}
    - {header: {key: x-client, value: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"}}
    request_headers_to_remove: [x-secret]
    response_headers_to_add: [{header: {key: x-resp, value: r}}]
    response_headers_to_remove: [x-upstream]
  - match: {prefix: /old/}
    route: {cluster: backend, prefix_rewrite: /new/}
  - match: {safe_regex: {regex: "/svc/([^/]+)/(.*)"}}
    route:
      cluster: backend
      regex_rewrite: {pattern: {regex: "^/svc/([^/]+)/(.*)$"}, substitution: "/\\\\2/on/\\\\1"}
      host_rewrite_literal: rewritten.example
      append_x_forwarded_host: true
  - match: {prefix: /https}
    redirect: {https_redirect: true}
  - match: {prefix: /moved}
    redirect: {host_redirect: new.example, port_redirect: 8443, prefix_rewrite: /landing, response_code: PERMANENT_REDIRECT}
  - match: {path: /strip}
    redirect: {path_redirect: /clean, strip_query: true, response_code: FOUND}
  - match: {prefix: /direct}
    direct_response: {status: 418, body: {inline_string: "I'm a teapot"}}
    response_headers_to_add: [{header: {key: x-direct, value: yes}}]`,
        staticCluster('backend', [up.port]),
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('applies route, virtual host and route-config mutations with append_action', async () => {
    const r = await request(port, '/hdr', {
      headers: { 'x-append': 'orig', 'x-absent': 'keep', 'x-over': 'orig', 'x-secret': 's' },
    });
    const e = JSON.parse(r.body) as Echo;
    assert.equal(e.headers['x-append'], 'orig, added');
    assert.equal(e.headers['x-absent'], 'keep');
    assert.equal(e.headers['x-over'], 'replaced');
    assert.equal(e.headers['x-only-if'], undefined);
    assert.equal(e.headers['x-secret'], undefined);
    assert.equal(e.headers['x-client'], '127.0.0.1');
    assert.equal(e.headers['x-vhost'], 'vh');
    assert.equal(e.headers['x-config'], 'cfg');
    assert.equal(r.headers['x-resp'], 'r');
    assert.equal(r.headers['x-resp-config'], 'cfg');
    assert.equal(r.headers['x-upstream'], undefined);
  });

  it('prefix_rewrite keeps the rest and the query, and records x-envoy-original-path', async () => {
    const e = JSON.parse((await request(port, '/old/a/b?q=1')).body) as Echo;
    assert.equal(e.url, '/new/a/b?q=1');
    assert.equal(e.headers['x-envoy-original-path'], '/old/a/b?q=1');
  });

  it('regex_rewrite substitutes groups; host_rewrite_literal sets the authority', async () => {
    const e = JSON.parse(
      (await request(port, '/svc/users/list?x=1', { headers: { host: 'orig.example' } })).body,
    ) as Echo;
    assert.equal(e.url, '/list/on/users?x=1');
    assert.equal(e.headers.host, 'rewritten.example');
    assert.equal(e.headers['x-forwarded-host'], 'orig.example');
  });

  const redirects: [string, string, number, string][] = [
    ['/https/x?y=1', 'site.example', 301, 'https://site.example/https/x?y=1'],
    ['/https', 'site.example:80', 301, 'https://site.example/https'],
    ['/moved/deep', 'site.example', 308, 'http://new.example:8443/landing/deep'],
    ['/strip?a=b', 'site.example', 302, 'http://site.example/clean'],
  ];
  for (const [path, host, code, location] of redirects)
    it(`redirect ${host}${path} → ${code} ${location}`, async () => {
      const r = await request(port, path, { headers: { host } });
      assert.equal(r.status, code);
      assert.equal(r.headers.location, location);
    });

  it('direct_response with body and response headers', async () => {
    const r = await request(port, '/direct');
    assert.equal(r.status, 418);
    assert.equal(r.body, "I'm a teapot");
    assert.equal(r.headers['x-direct'], 'yes');
  });
});
