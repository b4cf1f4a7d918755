import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainSuffixOf, isProxylessListenerName, parseProxyInfo, ProxyInfoError } from './proxy-info.js';

test("a sidecar node id and the metadata Istio's agent sends (as a Struct)", () => {
  const p = parseProxyInfo({
    id: 'sidecar~10.244.0.5~reviews-v1-1.default~default.svc.cluster.local',
    locality: { region: 'us-east', zone: 'zone-a', sub_zone: '' },
    metadata: {
      fields: {
        LABELS: {
          structValue: { fields: { app: { stringValue: 'reviews' }, version: { stringValue: 'v1' } } },
        },
        NAMESPACE: { stringValue: 'default' },
        SERVICE_ACCOUNT: { stringValue: 'bookinfo-reviews' },
        WORKLOAD_NAME: { stringValue: 'reviews-v1' },
        INTERCEPTION_MODE: { stringValue: 'REDIRECT' },
        ISTIO_VERSION: { stringValue: '1.22.0' },
        CLUSTER_ID: { stringValue: 'Kubernetes' },
      },
    },
  });
  assert.equal(p.type, 'sidecar');
  assert.deepEqual(p.ipAddresses, ['10.244.0.5']);
  assert.equal(p.podName, 'reviews-v1-1');
  assert.equal(p.namespace, 'default');
  assert.equal(p.dnsDomain, 'default.svc.cluster.local');
  assert.deepEqual(p.labels, { app: 'reviews', version: 'v1' });
  assert.equal(p.serviceAccount, 'bookinfo-reviews');
  assert.equal(p.workloadName, 'reviews-v1');
  assert.equal(p.locality, 'us-east/zone-a');
  assert.equal(p.metadata.INTERCEPTION_MODE, 'REDIRECT');
  assert.equal(p.metadata.CLUSTER_ID, 'Kubernetes');
  assert.equal(p.proxyless, false);
  assert.equal(domainSuffixOf(p), 'cluster.local');
});

test('routers, proxyless gRPC clients and INSTANCE_IPS', () => {
  const gw = parseProxyInfo({
    id: 'router~10.244.2.2~istio-ingressgateway-0.istio-system~istio-system.svc.cluster.local',
    metadata: { LABELS: { istio: 'ingressgateway' } },
  });
  assert.equal(gw.type, 'router');
  assert.deepEqual(gw.labels, { istio: 'ingressgateway' });
  const grpc = parseProxyInfo({
    id: 'sidecar~10.0.0.1~client.default~default.svc.cluster.local',
    metadata: { GENERATOR: 'grpc', INSTANCE_IPS: '10.0.0.1,fd00::1' },
  });
  assert.equal(grpc.proxyless, true);
  assert.deepEqual(grpc.ipAddresses, ['10.0.0.1', 'fd00::1']);
  assert.ok(isProxylessListenerName('forecast.weather.svc.cluster.local:3002'));
  assert.ok(!isProxylessListenerName('0.0.0.0_3002'));
});

test("malformed node ids are rejected with Pilot's reasons", () => {
  assert.throws(() => parseProxyInfo({ id: 'sidecar~10.0.0.1~pod.ns' }), ProxyInfoError);
  assert.throws(
    () => parseProxyInfo({ id: 'ingress~10.0.0.1~pod.ns~ns.svc.cluster.local' }),
    /invalid node type/,
  );
  assert.throws(() => parseProxyInfo({ id: 'sidecar~~pod.ns~ns.svc.cluster.local' }), /no valid IP/);
});
