// LDS updates: a changed listener takes new connections with the new filter chain while requests
// already in flight on the old one complete; a removed listener stops accepting; a CDS update that
// replaces a cluster does not fail the request already using it.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { TypeUrl } from '../../src/xds/type-urls.js';
import { FakeAds } from './fake-ads.js';
import { request, startProxy, startUpstream, type Running } from './helpers.js';

const HCM =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

function listener(name: string, port: number, route: object): object {
  return {
    name,
    address: { socket_address: { address: '127.0.0.1', port_value: port } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM,
              stat_prefix: name,
              route_config: {
                virtual_hosts: [
                  { name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, ...route }] },
                ],
              },
            },
          },
        ],
      },
    ],
  };
}

const cluster = (port: number): object => ({
  name: 'backend',
  type: 'STATIC',
  connect_timeout: '1s',
  load_assignment: {
    cluster_name: 'backend',
    endpoints: [
      {
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } },
        ],
      },
    ],
  },
});

describe('listener and cluster updates', () => {
  const ads = new FakeAds();
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let up2: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    up = await startUpstream('first');
    up2 = await startUpstream('second');
    await ads.start();
    ads.set(TypeUrl.Cluster, 'c1', [cluster(up.port)]);
    ads.set(TypeUrl.Listener, 'l1', [listener('main', 0, { route: { cluster: 'backend' } })]);
    px = await startProxy('node: {id: n}', { xds: `127.0.0.1:${ads.port}` });
    await px.proxy.live;
    port = await px.port('main');
  });
  after(async () => {
    await px.stop();
    ads.stop();
    await up.close();
    await up2.close();
  });

  it('in-flight requests finish on the old chain; new connections use the new one', async () => {
    const slow = request(port, '/delay/300');
    await new Promise((r) => setTimeout(r, 50));
    ads.set(TypeUrl.Listener, 'l2', [
      listener('main', port, { direct_response: { status: 200, body: { inline_string: 'v2' } } }),
    ]);
    await ads.waitFor((m) => m.type_url === TypeUrl.Listener && m.version_info === 'l2');
    assert.equal((await request(port, '/new')).body, 'v2');
    const old = await slow;
    assert.equal(old.status, 200);
    assert.equal(old.headers['x-upstream'], 'first');
  });

  it('replacing a cluster keeps the request that already uses it', async () => {
    ads.set(TypeUrl.Listener, 'l3', [listener('main', port, { route: { cluster: 'backend' } })]);
    await ads.waitFor((m) => m.type_url === TypeUrl.Listener && m.version_info === 'l3');
    const slow = request(port, '/delay/200');
    await new Promise((r) => setTimeout(r, 50));
    ads.set(TypeUrl.Cluster, 'c2', [cluster(up2.port)]);
    await ads.waitFor((m) => m.type_url === TypeUrl.Cluster && m.version_info === 'c2');
    const r = await request(port, '/after');
    assert.equal(r.headers['x-upstream'], 'second');
    const old = await slow;
    assert.equal(old.status, 200);
    assert.equal(old.headers['x-upstream'], 'first');
  });

  it('a removed listener stops accepting', async () => {
    ads.set(TypeUrl.Listener, 'l4', []);
    await ads.waitFor((m) => m.type_url === TypeUrl.Listener && m.version_info === 'l4');
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(
      new Promise((resolve, reject) =>
        http.get({ host: '127.0.0.1', port, path: '/', agent: false }, resolve).on('error', reject),
      ),
    );
  });
});
