// The pod's proxy config: mesh defaultConfig under the proxy.istio.io/config annotation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podProxyConfig, PROXY_CONFIG_ANNOTATION } from './pod-proxy-config.js';

const MESH = { concurrency: 2, proxyMetadata: { SECRET_TTL: '12h', ISTIO_META_DNS_CAPTURE: 'true' } };

test('the annotation overrides the mesh default field by field and merges proxyMetadata', () => {
  assert.deepEqual(podProxyConfig(MESH, {}), MESH);
  const pc = podProxyConfig(MESH, {
    [PROXY_CONFIG_ANNOTATION]: 'proxyMetadata:\n  SECRET_TTL: 10s\nterminationDrainDuration: 3s\n',
  });
  assert.deepEqual(pc, {
    concurrency: 2,
    terminationDrainDuration: '3s',
    proxyMetadata: { SECRET_TTL: '10s', ISTIO_META_DNS_CAPTURE: 'true' },
  });
  // JSON is YAML too, and a mesh without proxyMetadata takes the pod's.
  assert.deepEqual(
    podProxyConfig({}, { [PROXY_CONFIG_ANNOTATION]: '{"proxyMetadata": {"SECRET_TTL": "1h"}}' })
      .proxyMetadata,
    { SECRET_TTL: '1h' },
  );
});

test('an invalid annotation is refused with the field at fault', () => {
  assert.throws(
    () => podProxyConfig(MESH, { [PROXY_CONFIG_ANNOTATION]: 'proxyMetadata:\n  SECRET_TTL: 10\n' }),
    /annotation proxy.istio.io\/config: proxyMetadata.SECRET_TTL: .*string/,
  );
  assert.throws(
    () => podProxyConfig(MESH, { [PROXY_CONFIG_ANNOTATION]: 'secretTtl: 10s' }),
    /annotation proxy.istio.io\/config: .*secretTtl/,
  );
  assert.throws(
    () => podProxyConfig(MESH, { [PROXY_CONFIG_ANNOTATION]: 'proxyMetadata: [' }),
    /annotation proxy.istio.io\/config: /,
  );
});
