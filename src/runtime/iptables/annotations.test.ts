import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANNOTATIONS, AnnotationError, captureConfigFromAnnotations } from './annotations.js';
import { buildCaptureRules } from './capture.js';

function natOutput(annotations: Record<string, string>): string {
  const cfg = captureConfigFromAnnotations(annotations);
  assert.ok(cfg);
  return buildCaptureRules(cfg).toRestore(4);
}

test('a pod without annotations captures all outbound and inbound traffic except the proxy ports', () => {
  const rules = natOutput({});
  assert.match(rules, /-A ISTIO_OUTPUT -j ISTIO_REDIRECT/);
  assert.match(rules, /-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT/);
  for (const port of [15090, 15021, 15020]) {
    assert.match(rules, new RegExp(`-A ISTIO_INBOUND -p tcp --dport ${port} -j RETURN`));
  }
});

test('traffic annotations become include/exclude rules', () => {
  const rules = natOutput({
    [ANNOTATIONS.includeOutboundIPRanges]: '10.96.0.0/16, 10.244.0.0/16',
    [ANNOTATIONS.excludeOutboundIPRanges]: '10.96.1.0/24',
    [ANNOTATIONS.includeInboundPorts]: '8080,9090',
    [ANNOTATIONS.excludeOutboundPorts]: '5432',
    [ANNOTATIONS.kubevirtInterfaces]: 'net1',
  });
  assert.match(rules, /-A ISTIO_OUTPUT -d 10.96.0.0\/16 -j ISTIO_REDIRECT/);
  assert.match(rules, /-A ISTIO_OUTPUT -d 10.244.0.0\/16 -j ISTIO_REDIRECT/);
  assert.match(rules, /-A ISTIO_OUTPUT -d 10.96.1.0\/24 -j RETURN/);
  assert.doesNotMatch(rules, /-A ISTIO_OUTPUT -j ISTIO_REDIRECT/);
  assert.match(rules, /-A ISTIO_INBOUND -p tcp --dport 8080 -j ISTIO_IN_REDIRECT/);
  assert.match(rules, /-A ISTIO_INBOUND -p tcp --dport 9090 -j ISTIO_IN_REDIRECT/);
  assert.match(rules, /-A ISTIO_OUTPUT -p tcp --dport 5432 -j RETURN/);
  assert.match(rules, /-I PREROUTING 1 -i net1 -d 10.96.0.0\/16 -j ISTIO_REDIRECT/);
});

test('excludeInboundPorts adds to the proxy ports', () => {
  const cfg = captureConfigFromAnnotations({ [ANNOTATIONS.excludeInboundPorts]: '22,8443' });
  assert.deepEqual(cfg?.inboundPortsExclude, [15090, 15021, 15020, 22, 8443]);
});

test('interceptionMode selects TPROXY, and NONE disables capture', () => {
  assert.equal(
    captureConfigFromAnnotations({ [ANNOTATIONS.interceptionMode]: 'TPROXY' })?.interceptionMode,
    'TPROXY',
  );
  assert.equal(captureConfigFromAnnotations({ [ANNOTATIONS.interceptionMode]: 'NONE' }), null);
});

test('bad values are reported together, each naming its annotation', () => {
  assert.throws(
    () =>
      captureConfigFromAnnotations({
        [ANNOTATIONS.interceptionMode]: 'redirect',
        [ANNOTATIONS.includeOutboundIPRanges]: '10.0.0.0/33,10.1.0.0/16',
        [ANNOTATIONS.excludeOutboundIPRanges]: '300.1.1.1/8',
        [ANNOTATIONS.excludeInboundPorts]: '80,http',
        [ANNOTATIONS.excludeOutboundPorts]: '70000',
      }),
    (e: unknown) => {
      assert.ok(e instanceof AnnotationError);
      assert.deepEqual(e.problems, [
        'sidecar.istio.io/interceptionMode: "redirect" is not one of REDIRECT, TPROXY, NONE',
        'traffic.sidecar.istio.io/includeOutboundIPRanges: "10.0.0.0/33" has an invalid prefix length (0-32)',
        'traffic.sidecar.istio.io/excludeOutboundIPRanges: "300.1.1.1/8" has an invalid IP address "300.1.1.1"',
        'traffic.sidecar.istio.io/excludeInboundPorts: "http" is not a port number (1-65535)',
        'traffic.sidecar.istio.io/excludeOutboundPorts: "70000" is not a port number (1-65535)',
      ]);
      return true;
    },
  );
  assert.throws(
    () => captureConfigFromAnnotations({ [ANNOTATIONS.excludeOutboundIPRanges]: '*' }),
    AnnotationError,
  );
});
