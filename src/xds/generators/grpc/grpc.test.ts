// Proxyless gRPC flavour: api_listeners named `<host>:<port>`, route `<fqdn>:<port>` translated from
// the same VirtualService/DestinationRule, EDS clusters only — all valid Envoy protos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupMesh, sidecarProxy } from '../../../../test/simulation/harness.js';
import { assertValidResource } from '../../../../test/simulation/validate.js';
import { pods, services, weatherYaml } from '../../../../test/simulation/weather-fixture.js';
import { generators } from '../index.js';
import { messageName, TypeUrl } from '../../type-urls.js';
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';

type Obj = Record<string, unknown>;
const FORECAST = 'forecast.weather.svc.cluster.local';

const yaml = `${weatherYaml(['forecast-dr'])}
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: { name: forecast-dr, namespace: weather }
spec:
  host: forecast
  trafficPolicy:
    loadBalancer: { consistentHash: { httpHeaderName: x-user } }
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: forecast-route, namespace: weather }
spec:
  hosts: [forecast]
  http:
  - match: [{ headers: { x-canary: { exact: 'true' } } }]
    fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }
    route: [{ destination: { host: forecast, subset: v2 } }]
  - route:
    - { destination: { host: forecast, subset: v1 }, weight: 80 }
    - { destination: { host: forecast, subset: v2 }, weight: 20 }
    retries: { attempts: 2, retryOn: unavailable }`;

function client(): { proxy: ProxyInfo; push: PushContext } {
  const { push } = setupMesh({ yaml, services, pods: Object.values(pods) });
  return {
    proxy: { ...sidecarProxy(pods.frontendV1), proxyless: true, metadata: { GENERATOR: 'grpc' } },
    push,
  };
}

function gen(typeUrl: string, names?: string[]): Obj[] {
  const { proxy, push } = client();
  const out = generators.get(typeUrl)!.generate({ proxy, push, ...(names ? { names } : {}) });
  for (const r of out) assertValidResource(messageName(typeUrl), r.resource);
  return out.map((r) => r.resource as Obj);
}

test('LDS: an api_listener per requested target, short names resolved in the client namespace', () => {
  const [full, short] = gen(TypeUrl.Listener, [`${FORECAST}:3002`, 'forecast:3002', 'nowhere:1']);
  assert.equal(full!.name, `${FORECAST}:3002`);
  assert.equal(short!.name, 'forecast:3002');
  const hcm = (short!.api_listener as Obj).api_listener as Obj;
  assert.equal(
    hcm['@type'],
    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  );
  assert.equal((hcm.rds as Obj).route_config_name, `${FORECAST}:3002`);
  assert.deepEqual(
    (hcm.http_filters as Obj[]).map((f) => f.name),
    ['envoy.filters.http.fault', 'envoy.filters.http.router'],
  );
  assert.equal(short!.filter_chains, undefined);
});

test('RDS: weights, header match with fault abort, retries and the ring-hash header policy', () => {
  const [rc] = gen(TypeUrl.RouteConfiguration, [`${FORECAST}:3002`]);
  const [vh] = rc!.virtual_hosts as Obj[];
  assert.ok((vh!.domains as string[]).includes('*'));
  const [canary, split] = vh!.routes as Obj[];
  assert.deepEqual((canary!.match as Obj).headers, [{ name: 'x-canary', string_match: { exact: 'true' } }]);
  assert.deepEqual(((canary!.typed_per_filter_config as Obj)['envoy.filters.http.fault'] as Obj).abort, {
    http_status: 503,
    percentage: { numerator: 1000000, denominator: 'MILLION' },
  });
  const action = split!.route as Obj;
  assert.deepEqual(
    ((action.weighted_clusters as Obj).clusters as Obj[]).map((c) => [c.name, (c.weight as Obj).value]),
    [
      [`outbound|3002|v1|${FORECAST}`, 80],
      [`outbound|3002|v2|${FORECAST}`, 20],
    ],
  );
  assert.equal((action.retry_policy as Obj).retry_on, 'unavailable');
  assert.deepEqual(action.hash_policy, [{ header: { header_name: 'x-user' } }]);
});

test('CDS: EDS clusters with ring hash and no Envoy-only transport sockets; EDS assignments follow', () => {
  const clusters = gen(TypeUrl.Cluster, [`outbound|3002|v1|${FORECAST}`]);
  assert.equal(clusters.length, 1);
  const [cl] = clusters;
  assert.equal(cl!.type, 'EDS');
  assert.equal(cl!.lb_policy, 'RING_HASH');
  assert.equal(cl!.transport_socket_matches, undefined);
  assert.equal(cl!.typed_extension_protocol_options, undefined);
  const [cla] = gen(TypeUrl.ClusterLoadAssignment, [`outbound|3002|v1|${FORECAST}`]);
  const eps = ((cla!.endpoints as Obj[])[0]!.lb_endpoints as Obj[]).map(
    (e) => (((e.endpoint as Obj).address as Obj).socket_address as Obj).address,
  );
  assert.deepEqual(eps, [pods.forecastV1.ip]);
});
