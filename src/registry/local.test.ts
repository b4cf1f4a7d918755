import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigStore } from '../config/store.js';
import { parseResources } from '../config/loader.js';
import '../api/kinds.js';
import { LocalRegistry } from './local.js';
import { AggregateRegistry } from './aggregate.js';
import type { RegistryChange, Service } from './model.js';

const kube = `
apiVersion: v1
kind: Service
metadata: { name: forecast, namespace: weather, labels: { app: forecast } }
spec:
  clusterIP: 10.96.1.3
  selector: { app: forecast }
  ports:
  - { name: http, port: 3002, targetPort: web }
  - { name: metrics, port: 9090, appProtocol: http2 }
  - { name: cache, port: 7000 }
---
apiVersion: v1
kind: Pod
metadata:
  name: forecast-v1-0
  namespace: weather
  labels: { app: forecast, version: v1 }
  annotations: { sidecar.istio.io/status: '{}' }
spec:
  serviceAccountName: forecast
  containers:
  - name: app
    image: istioweather/forecast:v1
    ports: [{ name: web, containerPort: 8002 }]
status:
  podIP: 10.244.0.30
  conditions: [{ type: Ready, status: 'True' }]
---
apiVersion: v1
kind: Pod
metadata: { name: forecast-v2-0, namespace: weather, labels: { app: forecast, version: v2 } }
spec:
  containers: [{ name: app, image: istioweather/forecast:v2 }]
status:
  podIP: 10.244.0.31
  conditions: [{ type: Ready, status: 'False' }]
`;

test('Kubernetes Services and Pods in the store become services, protocols and endpoints', () => {
  const store = new ConfigStore({ debounceMs: 0 });
  const res = store.apply(parseResources(kube, 'k.yaml').resources, { owner: 'test' });
  assert.ok(res.ok, JSON.stringify(res));
  store.flush();
  const reg = new LocalRegistry(store);
  const svc = reg.service('forecast.weather.svc.cluster.local')!;
  assert.deepEqual(svc.addresses, ['10.96.1.3']);
  assert.deepEqual(
    svc.ports.map((p) => p.protocol),
    ['HTTP', 'HTTP2', 'TCP'],
  );
  assert.deepEqual(svc.serviceAccounts, [
    'spiffe://cluster.local/ns/weather/sa/default',
    'spiffe://cluster.local/ns/weather/sa/forecast',
  ]);
  const eps = reg.endpoints(svc.hostname, 3002);
  assert.deepEqual(
    eps.map((e) => [e.address, e.port, e.health, e.labels['security.istio.io/tlsMode']]),
    [
      ['10.244.0.30', 8002, 'HEALTHY', 'istio'],
      ['10.244.0.31', 3002, 'UNHEALTHY', undefined],
    ],
  );
  reg.close();
});

test('runtime feed: a new service account needs a full push, other endpoint changes only EDS', () => {
  const reg = new LocalRegistry();
  const seen: RegistryChange[] = [];
  reg.subscribe((c) => seen.push(c));
  const svc: Service = {
    hostname: 'a.ns.svc.cluster.local',
    name: 'a',
    namespace: 'ns',
    addresses: ['10.96.0.9'],
    ports: [{ name: 'http', port: 80, protocol: 'HTTP' }],
    labels: {},
    exportTo: [],
    resolution: 'ClientSideLB',
    meshExternal: false,
    serviceAccounts: [],
    registry: 'Kubernetes',
  };
  reg.upsertService(svc);
  const ep = {
    address: '10.244.0.9',
    port: 8080,
    servicePortName: 'http',
    labels: {},
    serviceAccount: 'spiffe://cluster.local/ns/ns/sa/a',
    health: 'HEALTHY' as const,
  };
  reg.upsertEndpoints(svc.hostname, [ep]);
  reg.upsertEndpoints(svc.hostname, [ep, { ...ep, address: '10.244.0.10' }]);
  assert.deepEqual(
    seen.map((c) => c.kind),
    ['full', 'full', 'endpoints'],
  );
  assert.equal(reg.endpoints(svc.hostname, 80).length, 2);
  assert.equal(reg.endpoints(svc.hostname, 81).length, 0);
  const other = new LocalRegistry();
  other.upsertService({ ...svc, addresses: ['10.96.0.99'] });
  other.upsertEndpoints(svc.hostname, [{ ...ep, address: '10.244.9.9' }]);
  const agg = new AggregateRegistry([reg, other]);
  assert.deepEqual(agg.service(svc.hostname)!.addresses, ['10.96.0.9'], 'the first registry wins');
  assert.equal(agg.endpoints(svc.hostname, 80).length, 3, 'endpoints are merged');
  reg.removeService(svc.hostname);
  assert.equal(reg.service(svc.hostname), undefined);
});
