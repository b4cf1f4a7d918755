// PushContext visibility and precedence: exportTo, DestinationRule lookup order and merging,
// VirtualService gateway binding, Sidecar selection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupMesh, sidecarProxy } from '../../test/simulation/harness.js';
import { buildPushContext } from './push-context.js';
import { pods, services } from '../../test/simulation/weather-fixture.js';

const AD = 'advertisement.weather.svc.cluster.local';

const dr = (name: string, ns: string, host: string, body: string): string => `
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: { name: ${name}, namespace: ${ns} }
spec:
  host: ${host}
${body}`;

test('DestinationRule precedence: caller namespace, then service namespace, then root namespace', () => {
  const yaml = [
    dr(
      'root',
      'istio-system',
      "'*.weather.svc.cluster.local'",
      '  trafficPolicy: { loadBalancer: { simple: RANDOM } }',
    ),
    dr('svc', 'weather', 'advertisement', '  trafficPolicy: { loadBalancer: { simple: LEAST_REQUEST } }'),
    dr('caller', 'default', AD, '  trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN } }'),
  ].join('\n---\n');
  const { push } = setupMesh({ yaml, services, pods: Object.values(pods) });
  assert.equal(push.destinationRule(sidecarProxy(pods.sleep), AD)?.name, 'caller');
  assert.equal(push.destinationRule(sidecarProxy(pods.frontendV1), AD)?.name, 'svc');
  assert.equal(
    push.destinationRule(sidecarProxy(pods.ingress), 'forecast.weather.svc.cluster.local')?.name,
    'root',
  );
});

test('rules for one host in one namespace merge their subsets; exportTo "." hides a rule elsewhere', () => {
  const yaml = [
    dr('a', 'weather', 'advertisement', '  subsets: [{ name: v1, labels: { version: v1 } }]'),
    dr(
      'b',
      'weather',
      'advertisement',
      '  trafficPolicy: { loadBalancer: { simple: RANDOM } }\n  subsets: [{ name: v2, labels: { version: v2 } }]',
    ),
    dr(
      'private',
      'weather',
      'forecast',
      "  exportTo: ['.']\n  subsets: [{ name: v1, labels: { version: v1 } }]",
    ),
  ].join('\n---\n');
  const { push } = setupMesh({ yaml, services, pods: Object.values(pods) });
  const merged = push.destinationRule(sidecarProxy(pods.frontendV1), AD)!;
  assert.deepEqual(
    merged.spec.subsets?.map((s) => s.name),
    ['v1', 'v2'],
  );
  assert.equal(merged.spec.trafficPolicy?.loadBalancer?.simple, 'RANDOM');
  assert.equal(
    push.destinationRule(sidecarProxy(pods.frontendV1), 'forecast.weather.svc.cluster.local')?.name,
    'private',
  );
  assert.equal(
    push.destinationRule(sidecarProxy(pods.sleep), 'forecast.weather.svc.cluster.local'),
    undefined,
  );
});

test('exportTo on services and VirtualServices; gateway binding', () => {
  const yaml = `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: private, namespace: weather }
spec:
  hosts: [advertisement]
  exportTo: ['.']
  http: [{ route: [{ destination: { host: advertisement } }] }]
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: at-gateway, namespace: weather }
spec:
  hosts: [frontend]
  gateways: [istio-system/weather-gateway, mesh]
  http: [{ route: [{ destination: { host: frontend } }] }]`;
  const m = setupMesh({ yaml, services, pods: Object.values(pods) });
  const weather = sidecarProxy(pods.frontendV1);
  const other = sidecarProxy(pods.sleep);
  assert.deepEqual(
    m.push
      .virtualServicesFor(weather, ['mesh'])
      .map((v) => v.name)
      .sort(),
    ['at-gateway', 'private'],
  );
  assert.deepEqual(
    m.push.virtualServicesFor(other, ['mesh']).map((v) => v.name),
    ['at-gateway'],
  );
  assert.deepEqual(
    m.push.virtualServicesFor(other, ['istio-system/weather-gateway']).map((v) => v.name),
    ['at-gateway'],
  );
  m.local.upsertService({
    ...m.push.service(AD)!,
    hostname: 'hidden.weather.svc.cluster.local',
    exportTo: ['.'],
  });
  const push = buildPushContext({ store: m.store, registry: m.local, version: 'v2' });
  assert.ok(push.servicesFor(weather).some((s) => s.hostname === 'hidden.weather.svc.cluster.local'));
  assert.ok(!push.servicesFor(other).some((s) => s.hostname === 'hidden.weather.svc.cluster.local'));
});
