// The proxy as an ADS client: CDS → EDS → LDS → RDS from a bootstrap's dynamic_resources,
// ACKs with version and nonce, NACKs with error_detail naming the field, keeps serving the last
// ACKed config while the control plane is away, and reconnects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TypeUrl } from '../../src/xds/type-urls.js';
import { FakeAds } from './fake-ads.js';
import { request, startProxy, startUpstream, stat, type Running } from './helpers.js';

const HCM =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

function listener(routeName: string): object {
  return {
    name: 'dyn',
    address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM,
              stat_prefix: 'dyn',
              rds: { route_config_name: routeName, config_source: { ads: {} } },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
            },
          },
        ],
      },
    ],
  };
}

function routes(name: string, regex = '/.*'): object {
  return {
    name,
    virtual_hosts: [
      {
        name: 'all',
        domains: ['*'],
        routes: [{ match: { safe_regex: { regex } }, route: { cluster: 'backend' } }],
      },
    ],
  };
}

describe('ADS client', () => {
  const ads = new FakeAds();
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    up = await startUpstream('eds-host');
    await ads.start();
    ads.set(TypeUrl.Cluster, 'c1', [
      {
        name: 'backend',
        type: 'EDS',
        connect_timeout: '1s',
        eds_cluster_config: { eds_config: { ads: {} } },
      },
    ]);
    ads.set(TypeUrl.ClusterLoadAssignment, 'e1', [
      {
        cluster_name: 'backend',
        endpoints: [
          {
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: up.port } } } },
            ],
          },
        ],
      },
    ]);
    ads.set(TypeUrl.Listener, 'l1', [listener('r1')]);
    ads.set(TypeUrl.RouteConfiguration, 'r1', [routes('r1')]);
    px = await startProxy(`
node: {id: "sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local", cluster: test}
dynamic_resources:
  ads_config:
    api_type: GRPC
    transport_api_version: V3
    grpc_services: [{envoy_grpc: {cluster_name: xds-grpc}}]
  cds_config: {ads: {}, resource_api_version: V3}
  lds_config: {ads: {}, resource_api_version: V3}
static_resources:
  clusters:
  - name: xds-grpc
    type: STATIC
    connect_timeout: 1s
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config: {http2_protocol_options: {}}
    load_assignment:
      cluster_name: xds-grpc
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${ads.port}}}}}]}]
`);
    await px.proxy.live;
    await ads.waitFor((m) => m.type_url === TypeUrl.RouteConfiguration && m.version_info === 'r1');
    port = await px.port('dyn');
  });
  after(async () => {
    await px.stop();
    ads.stop();
    await up.close();
  });

  it('sends the node on the first request and ACKs every type with version and nonce', async () => {
    assert.equal(ads.requests[0]?.node?.id, 'sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local');
    for (const [t, v] of [
      [TypeUrl.Cluster, 'c1'],
      [TypeUrl.ClusterLoadAssignment, 'e1'],
      [TypeUrl.Listener, 'l1'],
      [TypeUrl.RouteConfiguration, 'r1'],
    ] as const) {
      const ack = await ads.waitFor((m) => m.type_url === t && m.version_info === v);
      assert.ok(ack.response_nonce, `${t} ACK carries the nonce`);
      assert.equal(ack.error_detail, undefined);
    }
    const eds = await ads.waitFor((m) => m.type_url === TypeUrl.ClusterLoadAssignment);
    assert.deepEqual(eds.resource_names, ['backend']);
    const rds = await ads.waitFor((m) => m.type_url === TypeUrl.RouteConfiguration);
    assert.deepEqual(rds.resource_names, ['r1']);
  });

  it('serves traffic from the dynamic config', async () => {
    const r = await request(port, '/hello');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'eds-host');
  });

  it('NACKs an invalid route configuration with the field path and keeps the old one', async () => {
    ads.set(TypeUrl.RouteConfiguration, 'r2', [routes('r1', '(unclosed')]);
    const nack = await ads.waitFor((m) => m.type_url === TypeUrl.RouteConfiguration && m.error_detail);
    assert.equal(nack.version_info, 'r1');
    assert.match(
      nack.error_detail.message,
      /route_configs\[r1\]\.virtual_hosts\[all\]\.routes\[0\]\.match\.safe_regex: invalid regex/,
    );
    assert.equal((await request(port, '/still')).status, 200);
    assert.equal(await stat(px.admin, 'rds.update_rejected'), 1);
  });

  it('keeps serving when the control plane goes away, and reconnects', async () => {
    const p = ads.port;
    ads.stop();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await request(port, '/offline')).status, 200);
    const again = new FakeAds();
    again.set(TypeUrl.Cluster, 'c1', []);
    await again.start(p);
    const resumed = await again.waitFor((m) => m.type_url === TypeUrl.Cluster, 10_000);
    // On reconnect the client says which version it already has.
    assert.equal(resumed.version_info, 'c1');
    again.stop();
  });
});
