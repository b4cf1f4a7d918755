// envoy.filters.http.ext_authz through a real proxy: a real gRPC Authorization/Check server
// (grpc-js) allows by header, denies with its own status, body and headers (flag UAEX), adds
// upstream headers on OK; an HTTP authorization service allows on 200 and relays its denial;
// an unreachable service fails closed with status_on_error or open with failure_mode_allow;
// filter_enabled_metadata skips the check unless RBAC's shadow result names a CUSTOM policy.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { H2, request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import {
  bootstrap,
  countingUpstream,
  logLines,
  rbac,
  startGrpcAuthz,
  tempLog,
  type CountingUpstream,
  type GrpcAuthz,
} from './fixtures.js';

/** Allows x-user: alice (adding x-authz-user upstream); denies anyone else with its own reply. */
function startAuthzServer(): Promise<GrpcAuthz> {
  return startGrpcAuthz((req, reply) => {
    const user = req.attributes?.request?.http?.headers?.['x-user'];
    if (user === 'alice')
      return reply({
        status: { code: 0 },
        ok_response: { headers: [{ header: { key: 'x-authz-user', value: 'alice' } }] },
      });
    reply({
      status: { code: 7 },
      denied_response: {
        status: { code: user ? 'Unauthorized' : 'Forbidden' },
        body: 'denied by ext authz',
        headers: [{ header: { key: 'x-authz-reason', value: user ? 'unknown-user' : 'no-user' } }],
      },
    });
  });
}

function extAuthz(body: string): string {
  return `
- name: envoy.filters.http.ext_authz
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
    transport_api_version: V3
${body.replace(/^\n/, '').replace(/^/gm, '    ')}
`;
}

describe('ext_authz', () => {
  let authz: Awaited<ReturnType<typeof startAuthzServer>>;
  let httpAuthz: http.Server;
  let up: CountingUpstream;
  const proxies: Running[] = [];
  const log = tempLog();
  let clusters: string;

  before(async () => {
    authz = await startAuthzServer();
    httpAuthz = http.createServer((req, res) => {
      if (req.url === '/check/ok' && req.headers['x-user'] === 'carol') {
        res.writeHead(200, { 'x-authz-user': 'carol', 'x-other': 'dropped' });
        return res.end();
      }
      res.writeHead(401, { 'www-authenticate': 'Basic', 'x-seen-path': req.url ?? '' });
      res.end('http authz says no');
    });
    await new Promise<void>((r) => httpAuthz.listen(0, '127.0.0.1', () => r()));
    up = await countingUpstream();
    clusters =
      staticCluster('backend', [up.port]) +
      staticCluster('authz-grpc', [authz.port], H2) +
      staticCluster('authz-http', [(httpAuthz.address() as AddressInfo).port]) +
      staticCluster('nowhere', [1]);
  });
  after(async () => {
    for (const p of proxies) await p.stop();
    await up.close();
    authz.close();
    httpAuthz.close();
  });

  async function proxy(filters: string): Promise<{ port: number; admin: number }> {
    const px = await startProxy(bootstrap({ log, filters, clusters }));
    proxies.push(px);
    return { port: await px.port('http'), admin: px.admin };
  }

  it('gRPC: OK adds the upstream headers; a denial carries the service status, body, headers, UAEX', async () => {
    const { port, admin } = await proxy(
      extAuthz(`
grpc_service: {envoy_grpc: {cluster_name: authz-grpc}, timeout: 2s}`),
    );
    const ok = await request(port, '/grpc-ok', { headers: { 'x-user': 'alice' } });
    assert.equal(ok.status, 200);
    assert.equal(up.seen.at(-1)!.headers['x-authz-user'], 'alice');
    const req = authz.seen.at(-1)!.attributes.request.http;
    assert.equal(req.path, '/grpc-ok');
    assert.equal(req.method, 'GET');
    const no = await request(port, '/grpc-deny', { headers: { 'x-user': 'bob' } });
    assert.equal(no.status, 401);
    assert.equal(no.body, 'denied by ext authz');
    assert.equal(no.headers['x-authz-reason'], 'unknown-user');
    assert.equal((await request(port, '/grpc-deny')).status, 403);
    assert.deepEqual(await logLines(log, '/grpc-deny'), [
      '/grpc-deny 401 UAEX ext_authz_denied',
      '/grpc-deny 403 UAEX ext_authz_denied',
    ]);
    assert.equal(await stat(admin, 'http.ingress.ext_authz.ok'), 1);
    assert.equal(await stat(admin, 'http.ingress.ext_authz.denied'), 2);
  });

  it('HTTP service: 200 allows (allowed upstream headers only), other statuses are relayed', async () => {
    const { port } = await proxy(
      extAuthz(`
http_service:
  server_uri: {uri: "http://authz.example", cluster: authz-http, timeout: 2s}
  path_prefix: /check
  authorization_response:
    allowed_upstream_headers: {patterns: [{exact: x-authz-user}]}
allowed_headers: {patterns: [{exact: x-user}]}`),
    );
    const ok = await request(port, '/ok', { headers: { 'x-user': 'carol' } });
    assert.equal(ok.status, 200);
    assert.equal(up.seen.at(-1)!.headers['x-authz-user'], 'carol');
    assert.equal(up.seen.at(-1)!.headers['x-other'], undefined);
    const no = await request(port, '/nope?a=1');
    assert.equal(no.status, 401);
    assert.equal(no.body, 'http authz says no');
    assert.equal(no.headers['www-authenticate'], 'Basic');
    assert.equal(no.headers['x-seen-path'], '/check/nope?a=1');
  });

  it('unreachable service: status_on_error fails closed; failure_mode_allow lets it through', async () => {
    const closed = await proxy(
      extAuthz(`
grpc_service: {envoy_grpc: {cluster_name: nowhere}, timeout: 1s}
status_on_error: {code: ServiceUnavailable}`),
    );
    assert.equal((await request(closed.port, '/closed')).status, 503);
    assert.deepEqual(await logLines(log, '/closed'), ['/closed 503 UAEX ext_authz_error']);
    const open = await proxy(
      extAuthz(`
grpc_service: {envoy_grpc: {cluster_name: nowhere}, timeout: 1s}
failure_mode_allow: true
failure_mode_allow_header_add: true`),
    );
    assert.equal((await request(open.port, '/open')).status, 200);
    assert.equal(up.seen.at(-1)!.headers['x-envoy-auth-failure-mode-allowed'], 'true');
    assert.equal(await stat(open.admin, 'http.ingress.ext_authz.failure_mode_allowed'), 1);
  });

  it("Istio CUSTOM: the check runs only where RBAC's shadow rules matched a CUSTOM policy", async () => {
    const { port } = await proxy(
      rbac(`
shadow_rules:
  action: DENY
  policies:
    istio-ext-authz-ns[foo]-policy[ext]-rule[0]:
      permissions: [{url_path: {path: {prefix: /protected}}}]
      principals: [{any: true}]
shadow_rules_stat_prefix: istio_ext_authz_`) +
        extAuthz(`
grpc_service: {envoy_grpc: {cluster_name: authz-grpc}, timeout: 2s}
filter_enabled_metadata:
  filter: envoy.filters.http.rbac
  path: [{key: istio_ext_authz_shadow_effective_policy_id}]
  value: {string_match: {prefix: istio-ext-authz}}`),
    );
    const before = authz.seen.length;
    assert.equal((await request(port, '/public')).status, 200);
    assert.equal(authz.seen.length, before);
    assert.equal((await request(port, '/protected')).status, 403);
    assert.equal((await request(port, '/protected', { headers: { 'x-user': 'alice' } })).status, 200);
    assert.equal(authz.seen.length, before + 2);
  });
});
