// A static listener whose HCM takes its routes from RDS over ADS (no CDS/LDS): the proxy
// subscribes the route configuration by name and routes with it once it arrives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TypeUrl } from '../../src/xds/type-urls.js';
import { FakeAds } from './fake-ads.js';
import { indent, request, startProxy, startUpstream, staticCluster, type Running } from './helpers.js';

describe('static listener with RDS', () => {
  const ads = new FakeAds();
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  before(async () => {
    up = await startUpstream('static-rds');
    await ads.start();
    ads.set(TypeUrl.RouteConfiguration, 'v1', [
      {
        name: 'rc',
        virtual_hosts: [
          { name: 'a', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'backend' } }] },
        ],
      },
    ]);
    px = await startProxy(`
node: {id: n}
dynamic_resources:
  ads_config: {api_type: GRPC, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}
static_resources:
  listeners:
  - name: http
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: s
          rds: {route_config_name: rc, config_source: {ads: {}}}
  clusters:
${indent(staticCluster('backend', [up.port]) + staticCluster('xds', [ads.port]), 2)}
`);
  });
  after(async () => {
    await px.stop();
    ads.stop();
    await up.close();
  });

  it('subscribes the route configuration by name and routes with it', async () => {
    const sub = await ads.waitFor(
      (m) => m.type_url === TypeUrl.RouteConfiguration && m.version_info === 'v1',
    );
    assert.deepEqual(sub.resource_names, ['rc']);
    assert.equal((await request(await px.port('http'), '/')).headers['x-upstream'], 'static-rds');
  });
});
