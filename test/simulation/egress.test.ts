// Scenario 26: traffic to an external ServiceEntry host goes pod → egress gateway → host, through a
// two-part VirtualService (match gateways: mesh, then the egress gateway).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAll, routerProxy, setupMesh, sidecarProxy, type PodSpec } from './harness.js';
import { simulate } from './simulator.js';
import { pods, services } from './weather-fixture.js';

const EGRESS = 'istio-egressgateway.istio-system.svc.cluster.local';
const egressPod: PodSpec = {
  name: 'istio-egressgateway-0',
  namespace: 'istio-system',
  ip: '10.244.2.3',
  labels: { istio: 'egressgateway' },
};

const yaml = `
apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata: { name: weather-api, namespace: weather }
spec:
  hosts: [api.weather.example]
  ports: [{ number: 80, name: http, protocol: HTTP }]
  location: MESH_EXTERNAL
  resolution: DNS
---
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: istio-egressgateway, namespace: istio-system }
spec:
  selector: { istio: egressgateway }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: [api.weather.example]
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: weather-api-via-egress, namespace: weather }
spec:
  hosts: [api.weather.example]
  gateways: [istio-system/istio-egressgateway, mesh]
  http:
  - match: [{ gateways: [mesh], port: 80 }]
    route:
    - destination: { host: ${EGRESS}, port: { number: 80 } }
  - match: [{ gateways: [istio-system/istio-egressgateway], port: 80 }]
    route:
    - destination: { host: api.weather.example, port: { number: 80 } }`;

test('26: the sidecar sends the external host to the egress gateway, which sends it on', () => {
  const { push } = setupMesh({
    yaml,
    services: [
      ...services,
      {
        name: 'istio-egressgateway',
        namespace: 'istio-system',
        vip: '10.96.0.101',
        ports: [{ name: 'http2', port: 80, targetPort: 8080 }],
        selector: { istio: 'egressgateway' },
      },
    ],
    pods: [...Object.values(pods), egressPod],
  });
  const fromPod = simulate(generateAll(sidecarProxy(pods.frontendV1), push), {
    address: '203.0.113.7',
    port: 80,
    host: 'api.weather.example',
    path: '/now',
  });
  assert.equal(fromPod.cluster, `outbound|80||${EGRESS}`);
  const atEgress = simulate(generateAll(routerProxy(egressPod), push), {
    mode: 'gateway',
    port: 8080,
    host: 'api.weather.example',
    path: '/now',
  });
  assert.equal(atEgress.routeConfig, 'http.8080');
  assert.equal(atEgress.cluster, 'outbound|80||api.weather.example');
});
