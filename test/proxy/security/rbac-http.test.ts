// envoy.filters.http.rbac through a real proxy (scenarios 37/38 shapes): ALLOW with no policies
// denies everything with 403 "RBAC: access denied"; method, path, header and source-IP rules;
// DENY before ALLOW; dry-run shadow rules (stats and metadata only); per-route RBACPerRoute.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, logLines, rbac, tempLog, type CountingUpstream } from './fixtures.js';

const ANY_PRINCIPAL = 'principals: [{any: true}]';

async function withProxy(
  filters: string,
  fn: (port: number, px: Running, up: CountingUpstream, log: string) => Promise<void>,
  extra: { routes?: string; hcmExtra?: string } = {},
): Promise<void> {
  const up = await countingUpstream();
  const log = tempLog();
  const px = await startProxy(
    bootstrap({ filters, log, clusters: staticCluster('backend', [up.port]), ...extra }),
  );
  try {
    await fn(await px.port('http'), px, up, log);
  } finally {
    await px.stop();
    await up.close();
  }
}

describe('HTTP RBAC', () => {
  it('ALLOW with no policies denies every request: 403 "RBAC: access denied", details, stats', () =>
    withProxy(rbac('rules: {action: ALLOW}'), async (port, px, up, log) => {
      const r = await request(port, '/page');
      assert.equal(r.status, 403);
      assert.equal(r.body, 'RBAC: access denied');
      assert.equal(up.seen.length, 0);
      assert.deepEqual(await logLines(log, '/page'), ['/page 403 - rbac_access_denied_matched_policy[none]']);
      assert.equal(await stat(px.admin, 'http.ingress.rbac.denied'), 1);
      assert.equal(await stat(px.admin, 'http.ingress.rbac.allowed'), 0);
    }));

  it('no rules at all: the filter enforces nothing', () =>
    withProxy(rbac('rules_stat_prefix: unused_'), async (port) => {
      assert.equal((await request(port, '/')).status, 200);
    }));

  it('GET allowed, POST denied by :method', () =>
    withProxy(
      rbac(`
rules:
  action: ALLOW
  policies:
    viewer:
      permissions: [{header: {name: ":method", string_match: {exact: GET}}}]
      ${ANY_PRINCIPAL}`),
      async (port, px) => {
        assert.equal((await request(port, '/get')).status, 200);
        const post = await request(port, '/post', { method: 'POST', body: 'x' });
        assert.equal(post.status, 403);
        assert.equal(await stat(px.admin, 'http.ingress.rbac.allowed'), 1);
        assert.equal(await stat(px.admin, 'http.ingress.rbac.denied'), 1);
      },
    ));

  it('DENY before ALLOW: a DENY match wins, with the DENY policy named in the details', () =>
    withProxy(
      rbac(`
rules:
  action: DENY
  policies:
    ns[foo]-policy[deny-admin]-rule[0]:
      permissions: [{url_path: {path: {prefix: /admin}}}]
      ${ANY_PRINCIPAL}`) +
        rbac(`
rules:
  action: ALLOW
  policies:
    all:
      permissions: [{any: true}]
      ${ANY_PRINCIPAL}`),
      async (port, _px, up, log) => {
        assert.equal((await request(port, '/admin/x?y=1')).status, 403);
        assert.equal((await request(port, '/public')).status, 200);
        assert.deepEqual(
          up.seen.map((s) => s.url),
          ['/public'],
        );
        assert.deepEqual(await logLines(log, '/admin'), [
          '/admin/x?y=1 403 - rbac_access_denied_matched_policy[ns[foo]-policy[deny-admin]-rule[0]]',
        ]);
      },
    ));

  it('url_path ignores the query; uri_template matches one segment with * and many with **', () =>
    withProxy(
      rbac(`
rules:
  policies:
    p:
      permissions:
      - url_path: {path: {exact: /exact}}
      - uri_template:
          name: uri-template
          typed_config: {"@type": type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig, path_template: "/books/*/pages"}
      - uri_template:
          name: uri-template
          typed_config: {"@type": type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig, path_template: "/files/**"}
      ${ANY_PRINCIPAL}`),
      async (port) => {
        const status = async (p: string) => (await request(port, p)).status;
        assert.equal(await status('/exact?x=1'), 200);
        assert.equal(await status('/exact/more'), 403);
        assert.equal(await status('/books/12/pages'), 200);
        assert.equal(await status('/books/1/2/pages'), 403);
        assert.equal(await status('/files/a/b/c.txt'), 200);
        assert.equal(await status('/other'), 403);
      },
    ));

  it('principals: header, remote_ip after x-forwarded-for, direct_remote_ip, not_id', () =>
    withProxy(
      rbac(`
rules:
  policies:
    by-header:
      permissions: [{any: true}]
      principals: [{and_ids: {ids: [{header: {name: x-user, string_match: {exact: alice}}}, {direct_remote_ip: {address_prefix: 127.0.0.0, prefix_len: 8}}]}}]
    by-remote-ip:
      permissions: [{any: true}]
      principals: [{and_ids: {ids: [{remote_ip: {address_prefix: 10.1.0.0, prefix_len: 16}}, {not_id: {header: {name: x-user, present_match: true}}}]}}]`),
      async (port) => {
        const status = async (h: Record<string, string>) => (await request(port, '/', { headers: h })).status;
        assert.equal(await status({ 'x-user': 'alice' }), 200);
        assert.equal(await status({ 'x-user': 'bob' }), 403);
        assert.equal(await status({ 'x-forwarded-for': '10.1.2.3' }), 200);
        assert.equal(await status({ 'x-forwarded-for': '10.2.2.3' }), 403);
        assert.equal(await status({ 'x-forwarded-for': '10.1.2.3', 'x-user': 'bob' }), 403);
      },
    ));

  it('dry run: shadow rules only count and publish metadata; the request goes through', () =>
    withProxy(
      rbac(`
shadow_rules:
  action: DENY
  policies:
    ns[foo]-policy[dry]-rule[0]:
      permissions: [{url_path: {path: {prefix: /x}}}]
      ${ANY_PRINCIPAL}
shadow_rules_stat_prefix: istio_dry_run_deny_`),
      async (port, px, up) => {
        assert.equal((await request(port, '/x')).status, 200);
        assert.equal((await request(port, '/y')).status, 200);
        assert.equal(up.seen.length, 2);
        assert.equal(await stat(px.admin, 'http.ingress.rbac.istio_dry_run_deny_shadow_denied'), 1);
        assert.equal(await stat(px.admin, 'http.ingress.rbac.istio_dry_run_deny_shadow_allowed'), 1);
      },
    ));

  it('RBACPerRoute: a route without rbac skips the filter, another route gets its own rules', () =>
    withProxy(
      rbac('rules: {action: ALLOW}'),
      async (port) => {
        assert.equal((await request(port, '/public')).status, 200);
        assert.equal((await request(port, '/get-only')).status, 200);
        assert.equal((await request(port, '/get-only', { method: 'DELETE' })).status, 403);
        assert.equal((await request(port, '/private')).status, 403);
      },
      {
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: /public}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.rbac: {"@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute}
  - match: {prefix: /get-only}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.rbac:
        "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
        rbac: {rules: {policies: {get: {permissions: [{header: {name: ":method", string_match: {exact: GET}}}], ${ANY_PRINCIPAL}}}}}
  - match: {prefix: /}
    route: {cluster: backend}`,
      },
    ));
});
