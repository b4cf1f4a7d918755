import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResources } from '../config/loader.js';
import { quotaRequirements } from './quota-specs.js';

const resources = (yaml: string) => parseResources(yaml, 'q.yaml').resources.map((r) => r.resource);

const SPECS = `apiVersion: config.istio.io/v1alpha2
kind: QuotaSpec
metadata: { name: by-path, namespace: weather }
spec:
  rules:
  - match:
    - clause:
        request.path: { prefix: /ad }
        request.method: { exact: GET }
    - clause:
        request.useragent: { regex: "curl/.*" }
    quotas: [{ quota: adquota, charge: 2 }]
  - quotas: [{ quota: everything, charge: 1 }]
---
apiVersion: config.istio.io/v1alpha2
kind: QuotaSpecBinding
metadata: { name: ad, namespace: weather }
spec:
  quotaSpecs: [{ name: by-path }]
  services: [{ name: advertisement }, { service: "*.example.com" }]
`;

test('QuotaSpecBinding selects services by name (binding namespace by default) or FQDN pattern', () => {
  const q = quotaRequirements(resources(SPECS));
  const get = new Map<string, unknown>([
    ['request.path', '/ad'],
    ['request.method', 'GET'],
  ]);
  assert.deepEqual(q('advertisement.weather.svc.cluster.local', get), [
    { quota: 'adquota', charge: 2 },
    { quota: 'everything', charge: 1 },
  ]);
  assert.deepEqual(q('api.example.com', get).length, 2);
  assert.deepEqual(q('advertisement.default.svc.cluster.local', get), []);
  assert.deepEqual(q('forecast.weather.svc.cluster.local', get), []);
});

test('QuotaSpec matches: clauses of one match all hold (string attributes), any match will do; regex is anchored', () => {
  const q = quotaRequirements(resources(SPECS));
  const host = 'advertisement.weather.svc.cluster.local';
  const names = (attrs: [string, unknown][]) => q(host, new Map(attrs)).map((r) => r.quota);
  assert.deepEqual(
    names([
      ['request.path', '/ad'],
      ['request.method', 'POST'],
    ]),
    ['everything'],
  );
  assert.deepEqual(names([['request.useragent', 'curl/8.5']]), ['adquota', 'everything']);
  assert.deepEqual(names([['request.useragent', 'Mozilla curl/8.5']]), ['everything']);
  assert.deepEqual(names([['request.path', 3]]), ['everything']);
});
