// Translation tests: endpoints → ClusterLoadAssignment (subsets, locality priorities and weights,
// health, auto-mTLS metadata) and the EDS generator's incremental pushes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAll, setupMesh, sidecarProxy, type PodSpec } from '../../../../test/simulation/harness.js';
import { services } from '../../../../test/simulation/weather-fixture.js';
import { eds } from '../eds.js';
import { buildPushContext } from '../../push-context.js';
import { ConfigStore } from '../../../config/store.js';

type Obj = Record<string, unknown>;
const AD = 'advertisement.weather.svc.cluster.local';

const ad = (name: string, ip: string, version: string, locality?: string, injected = true): PodSpec => ({
  name,
  namespace: 'weather',
  ip,
  labels: { app: 'advertisement', version },
  ...(locality ? { locality } : {}),
  injected,
});
const caller: PodSpec = {
  name: 'frontend-v1-0',
  namespace: 'weather',
  ip: '10.244.0.10',
  labels: { app: 'frontend' },
  locality: 'us-east/zone-a/rack-1',
};

const dr = (policy = ''): string => `
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: { name: advertisement-dr, namespace: weather }
spec:
  host: advertisement
${policy}
  subsets:
  - name: v1
    labels: { version: v1 }
  - name: v2
    labels: { version: v2 }`;

function assignments(yaml: string, adPods: PodSpec[]): Map<string, Obj> {
  const m = setupMesh({ yaml, services, pods: [caller, ...adPods] });
  const gen = generateAll(sidecarProxy(caller), m.push);
  return new Map(gen.endpoints.map((e) => [e.cluster_name as string, e]));
}

const addresses = (cla: Obj | undefined): string[] =>
  ((cla?.endpoints as Obj[]) ?? [])
    .flatMap((g) =>
      (g.lb_endpoints as Obj[]).map(
        (e) => (((e.endpoint as Obj).address as Obj).socket_address as Obj).address as string,
      ),
    )
    .sort();

test('10: a subset cluster holds only its pods; the service cluster holds all', () => {
  const cl = assignments(dr(), [
    ad('a1', '10.0.0.1', 'v1'),
    ad('a2', '10.0.0.2', 'v1'),
    ad('b1', '10.0.0.3', 'v2'),
  ]);
  assert.deepEqual(addresses(cl.get(`outbound|3003|v1|${AD}`)), ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(addresses(cl.get(`outbound|3003|v2|${AD}`)), ['10.0.0.3']);
  assert.deepEqual(addresses(cl.get(`outbound|3003||${AD}`)), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
});

test('endpoints with a sidecar carry the tlsMode metadata auto mTLS matches on', () => {
  const cl = assignments(dr(), [ad('a1', '10.0.0.1', 'v1'), ad('a2', '10.0.0.2', 'v1', undefined, false)]);
  const eps = ((cl.get(`outbound|3003|v1|${AD}`)!.endpoints as Obj[])[0]!.lb_endpoints as Obj[]).map(
    (e) => e.metadata,
  );
  assert.deepEqual(eps, [
    {
      filter_metadata: { 'envoy.transport_socket_match': { fields: { tlsMode: { stringValue: 'istio' } } } },
    },
    undefined,
  ]);
});

test('with outlier detection, localities get failover priorities relative to the caller', () => {
  const cl = assignments(dr(`  trafficPolicy:\n    outlierDetection: { consecutive5xxErrors: 1 }`), [
    ad('same', '10.0.0.1', 'v1', 'us-east/zone-a/rack-1'),
    ad('zone', '10.0.0.2', 'v1', 'us-east/zone-a/rack-2'),
    ad('region', '10.0.0.3', 'v1', 'us-east/zone-b/rack-1'),
    ad('far', '10.0.0.4', 'v1', 'eu-west/zone-a/rack-1'),
  ]);
  const groups = cl.get(`outbound|3003||${AD}`)!.endpoints as Obj[];
  assert.deepEqual(
    groups.map((g) => [(g.locality as Obj).zone, (g.locality as Obj).sub_zone, g.priority ?? 0]),
    [
      ['zone-a', 'rack-1', 0],
      ['zone-a', 'rack-2', 1],
      ['zone-b', 'rack-1', 2],
      ['zone-a', 'rack-1', 3],
    ],
  );
});

test('localityLbSetting distribute sets locality weights and drops unlisted localities', () => {
  const cl = assignments(
    dr(`  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        distribute:
        - from: us-east/zone-a/*
          to: { 'us-east/zone-a/*': 80, 'us-east/zone-b/*': 20 }`),
    [
      ad('a', '10.0.0.1', 'v1', 'us-east/zone-a/rack-1'),
      ad('b', '10.0.0.2', 'v1', 'us-east/zone-b/rack-1'),
      ad('c', '10.0.0.3', 'v1', 'eu-west/zone-a/rack-1'),
    ],
  );
  const groups = cl.get(`outbound|3003||${AD}`)!.endpoints as Obj[];
  assert.deepEqual(
    groups.map((g) => [(g.locality as Obj).region, g.load_balancing_weight]),
    [
      ['us-east', { value: 80 }],
      ['us-east', { value: 20 }],
    ],
  );
});

test('unready endpoints are sent as UNHEALTHY; EDS-only pushes carry just the changed services', () => {
  const m = setupMesh({ yaml: dr(), services, pods: [caller, ad('a1', '10.0.0.1', 'v1')] });
  m.local.upsertEndpoints(AD, [
    {
      address: '10.0.0.1',
      port: 3003,
      servicePortName: 'http',
      labels: { app: 'advertisement', version: 'v1' },
      health: 'UNHEALTHY',
    },
  ]);
  const store = new ConfigStore();
  const push = buildPushContext({ store, registry: m.local, version: 'eds' });
  const proxy = sidecarProxy(caller);
  const update = {
    full: false,
    configsUpdated: new Set<string>(),
    edsUpdates: new Set([AD]),
    reasons: ['EndpointUpdate'],
    start: 0,
  };
  const out = eds.generate({ proxy, push, update });
  assert.ok(out.length > 0);
  assert.ok(
    out.every((r) => r.name.endsWith(`|${AD}`)),
    'only advertisement assignments',
  );
  const lb = (((out[0]!.resource as Obj).endpoints as Obj[])[0]!.lb_endpoints as Obj[])[0]!;
  assert.equal(lb.health_status, 'UNHEALTHY');
  assert.equal(eds.needsPush!(proxy, { ...update, edsUpdates: new Set() }, push), false);
});
