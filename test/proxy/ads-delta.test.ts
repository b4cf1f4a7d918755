// Delta (incremental) ADS: wildcard CDS/LDS and named EDS/RDS subscriptions via
// resource_names_subscribe, ACK by nonce, incremental updates and removals applied on top of the
// previous set, NACK with error_detail, and initial_resource_versions when the stream resumes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TypeUrl } from '../../src/xds/type-urls.js';
import { FakeAds } from './fake-ads.js';
import { request, startProxy, startUpstream, type Running } from './helpers.js';

const HCM =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

const listener = {
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
            rds: { route_config_name: 'r', config_source: { ads: {} } },
          },
        },
      ],
    },
  ],
};

const route = (cluster: string, regex = '/.*'): object => ({
  name: 'r',
  virtual_hosts: [
    { name: 'all', domains: ['*'], routes: [{ match: { safe_regex: { regex } }, route: { cluster } }] },
  ],
});

const eds = (name: string) => ({
  name,
  type: 'EDS',
  connect_timeout: '1s',
  eds_cluster_config: { eds_config: { ads: {} } },
});
const cla = (name: string, port: number) => ({
  cluster_name: name,
  endpoints: [
    {
      lb_endpoints: [
        { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } },
      ],
    },
  ],
});

describe('delta ADS', () => {
  const ads = new FakeAds();
  let a: Awaited<ReturnType<typeof startUpstream>>;
  let b: Awaited<ReturnType<typeof startUpstream>>;
  let px: Running;
  let port: number;
  before(async () => {
    a = await startUpstream('a');
    b = await startUpstream('b');
    await ads.start();
    ads.set(TypeUrl.Cluster, 'c1', [eds('ca')]);
    ads.set(TypeUrl.ClusterLoadAssignment, 'e1', [cla('ca', a.port)]);
    ads.set(TypeUrl.Listener, 'l1', [listener]);
    ads.set(TypeUrl.RouteConfiguration, 'r1', [route('ca')]);
    px = await startProxy(`
node: {id: delta-node}
dynamic_resources:
  ads_config:
    api_type: DELTA_GRPC
    transport_api_version: V3
    grpc_services: [{envoy_grpc: {cluster_name: xds}}]
  cds_config: {ads: {}}
  lds_config: {ads: {}}
static_resources:
  clusters:
  - name: xds
    type: STATIC
    load_assignment:
      cluster_name: xds
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${ads.port}}}}}]}]
`);
    await px.proxy.live;
    await ads.waitFor(
      (m) => m.type_url === TypeUrl.RouteConfiguration && m.response_nonce && !m.error_detail,
    );
    port = await px.port('dyn');
  });
  after(async () => {
    await px.stop();
    ads.stop();
    await a.close();
    await b.close();
  });

  it('subscribes wildcard for CDS/LDS and by name for EDS/RDS', async () => {
    const cds = await ads.waitFor(
      (m) => m.type_url === TypeUrl.Cluster && m.resource_names_subscribe?.length,
    );
    assert.deepEqual(cds.resource_names_subscribe, ['*']);
    const e = await ads.waitFor(
      (m) => m.type_url === TypeUrl.ClusterLoadAssignment && m.resource_names_subscribe?.length,
    );
    assert.deepEqual(e.resource_names_subscribe, ['ca']);
    assert.equal((await request(port, '/')).headers['x-upstream'], 'a');
  });

  it('applies an added cluster on top of the existing set, then a removal', async () => {
    ads.set(TypeUrl.Cluster, 'c2', [eds('ca'), eds('cb')]);
    ads.set(TypeUrl.ClusterLoadAssignment, 'e2', [cla('ca', a.port), cla('cb', b.port)]);
    await ads.waitFor(
      (m) => m.type_url === TypeUrl.ClusterLoadAssignment && m.resource_names_subscribe?.includes('cb'),
    );
    const acked = ads.requests.length;
    ads.set(TypeUrl.RouteConfiguration, 'r2', [route('cb')]);
    await ads.waitFor(
      (m) => ads.requests.indexOf(m) >= acked && m.type_url === TypeUrl.RouteConfiguration && !m.error_detail,
    );
    assert.equal((await request(port, '/')).headers['x-upstream'], 'b');
    ads.set(TypeUrl.Cluster, 'c3', [eds('cb')]);
    const unsub = await ads.waitFor(
      (m) => m.type_url === TypeUrl.ClusterLoadAssignment && m.resource_names_unsubscribe?.includes('ca'),
    );
    assert.ok(unsub);
    assert.equal((await request(port, '/')).headers['x-upstream'], 'b');
  });

  it('NACKs a bad delta with error_detail and keeps serving', async () => {
    ads.set(TypeUrl.RouteConfiguration, 'r3', [route('cb', '(')]);
    const nack = await ads.waitFor((m) => m.type_url === TypeUrl.RouteConfiguration && m.error_detail);
    assert.match(nack.error_detail.message, /safe_regex: invalid regex/);
    assert.equal((await request(port, '/')).headers['x-upstream'], 'b');
  });

  it('resumes with initial_resource_versions after the control plane restarts', async () => {
    const p = ads.port;
    ads.stop();
    const again = new FakeAds();
    again.set(TypeUrl.Cluster, 'c3', [eds('cb')]);
    await again.start(p);
    const m = await again.waitFor((x) => x.type_url === TypeUrl.Cluster, 10_000);
    // cb was last sent (unchanged since) at c2: the per-resource version, not the system version.
    assert.deepEqual(m.initial_resource_versions, { cb: 'c2' });
    assert.equal((await request(port, '/')).headers['x-upstream'], 'b');
    again.stop();
  });
});
