// The admin API as Envoy serves it: GET views (/ready, /server_info, /config_dump sections with
// @type, /clusters text and JSON, /listeners, /stats, /stats/prometheus) and POST-only mutations.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  adminGet,
  httpBootstrap,
  request,
  startProxy,
  startUpstream,
  staticCluster,
  type Running,
} from './helpers.js';

describe('admin API', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    up = await startUpstream();
    px = await startProxy(
      httpBootstrap(
        `
virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: "outbound|80||svc.ns.svc.cluster.local"}}]}]`,
        staticCluster('outbound|80||svc.ns.svc.cluster.local', [up.port]),
      ),
    );
    port = await px.port('http');
    await request(port, '/warm');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('/ready is LIVE', async () => {
    const r = await adminGet(px.admin, '/ready');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'LIVE\n');
  });

  it('/server_info names the state and node', async () => {
    const j = JSON.parse((await adminGet(px.admin, '/server_info')).body);
    assert.equal(j.state, 'LIVE');
    assert.equal(j.node.id, 'test');
  });

  it('/config_dump has Envoy sections in order with typed resources', async () => {
    const j = JSON.parse((await adminGet(px.admin, '/config_dump')).body);
    assert.deepEqual(
      j.configs.map((c: { '@type': string }) => c['@type']),
      ['Bootstrap', 'Clusters', 'Listeners', 'Routes'].map(
        (s) => `type.googleapis.com/envoy.admin.v3.${s}ConfigDump`,
      ),
    );
    const cl = j.configs[1].static_clusters[0].cluster;
    assert.equal(cl['@type'], 'type.googleapis.com/envoy.config.cluster.v3.Cluster');
    assert.equal(cl.name, 'outbound|80||svc.ns.svc.cluster.local');
    assert.equal(j.configs[2].static_listeners[0].listener.name, 'http');
    assert.equal(
      j.configs[3].static_route_configs[0].route_config['@type'],
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    );
  });

  it('/clusters text and JSON', async () => {
    const text = (await adminGet(px.admin, '/clusters')).body;
    const c = 'outbound|80||svc.ns.svc.cluster.local';
    assert.match(
      text,
      new RegExp(`^${c.replace(/[|.]/g, '\\$&')}::127\\.0\\.0\\.1:${up.port}::rq_total::1$`, 'm'),
    );
    assert.match(text, /::health_flags::healthy$/m);
    assert.match(text, /::added_via_api::false$/m);
    const j = JSON.parse((await adminGet(px.admin, '/clusters?format=json')).body);
    const hs = j.cluster_statuses[0].host_statuses[0];
    assert.equal(hs.address.socket_address.port_value, up.port);
    assert.equal(hs.health_status.eds_health_status, 'HEALTHY');
    assert.deepEqual(
      hs.stats.find((s: { name: string }) => s.name === 'rq_total'),
      { name: 'rq_total', value: '1' },
    );
  });

  it('/listeners', async () => {
    assert.equal((await adminGet(px.admin, '/listeners')).body, `http::127.0.0.1:${port}\n`);
  });

  it('/stats and /stats/prometheus use Envoy names and tags', async () => {
    const text = (await adminGet(px.admin, '/stats')).body;
    assert.match(text, /^cluster\.outbound\|80\|\|svc\.ns\.svc\.cluster\.local\.upstream_rq_total: 1$/m);
    assert.match(text, /^http\.ingress\.downstream_rq_2xx: 1$/m);
    assert.match(text, /^server\.live: 1$/m);
    const prom = (await adminGet(px.admin, '/stats/prometheus')).body;
    assert.match(prom, /^# TYPE envoy_cluster_upstream_rq_total counter$/m);
    assert.match(
      prom,
      /^envoy_cluster_upstream_rq_total\{envoy_cluster_name="outbound\|80\|\|svc\.ns\.svc\.cluster\.local"\} 1$/m,
    );
    assert.match(
      prom,
      /^envoy_http_downstream_rq_xx\{envoy_http_conn_manager_prefix="ingress",envoy_response_code_class="2"\} 1$/m,
    );
    assert.match(prom, /^envoy_server_live 1$/m);
  });

  it('mutations are POST only', async () => {
    for (const p of ['/healthcheck/fail', '/drain_listeners', '/quitquitquit'])
      assert.equal((await adminGet(px.admin, p)).status, 405, p);
    assert.equal((await adminGet(px.admin, '/logging?level=debug', 'POST')).status, 200);
    assert.match((await adminGet(px.admin, '/logging')).body, /admin: debug/);
    assert.equal((await adminGet(px.admin, '/logging?level=info', 'POST')).status, 200);
    assert.equal((await adminGet(px.admin, '/logging?level=bogus', 'POST')).status, 400);
  });

  it('/drain_listeners makes /ready report DRAINING', async () => {
    assert.equal((await adminGet(px.admin, '/drain_listeners', 'POST')).status, 200);
    const r = await adminGet(px.admin, '/ready');
    assert.equal(r.status, 503);
    assert.equal(r.body, 'DRAINING\n');
  });
});
