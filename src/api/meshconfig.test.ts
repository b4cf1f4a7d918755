import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultMeshConfig, loadMeshConfig } from './meshconfig.js';

test('defaults follow Istio', () => {
  const d = defaultMeshConfig();
  assert.equal(d.outboundTrafficPolicy?.mode, 'ALLOW_ANY');
  assert.equal(d.trustDomain, 'cluster.local');
  assert.equal(d.rootNamespace, 'istio-system');
  assert.equal(d.connectTimeout, '10s');
  assert.equal(d.defaultConfig?.discoveryAddress, 'istiod.istio-system.svc:15012');
  assert.equal(d.defaultConfig?.drainDuration, '45s');
  assert.deepEqual(d.defaultServiceExportTo, ['*']);
  assert.equal(d.enableAutoMtls, true);
});

test('user fields replace defaults; defaultConfig and providers merge', () => {
  const r = loadMeshConfig(
    `outboundTrafficPolicy:
  mode: REGISTRY_ONLY
accessLogFile: /dev/stdout
accessLogEncoding: JSON
trustDomainAliases: [old.local]
defaultConfig:
  concurrency: 2
  holdApplicationUntilProxyStarts: true
  proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}
  tracing:
    sampling: 100
    zipkin: {address: zipkin.istio-system:9411}
extensionProviders:
- name: envoy
  envoyFileAccessLog: {path: /tmp/access.log}
- name: ext-authz
  envoyExtAuthzHttp: {service: authz.weather.svc.cluster.local, port: 8000, includeRequestHeadersInCheck: [cookie]}
defaultProviders:
  accessLogging: [envoy]
`,
    'mesh.yaml',
  );
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  const c = r.config;
  assert.equal(c.outboundTrafficPolicy?.mode, 'REGISTRY_ONLY');
  assert.equal(c.accessLogEncoding, 'JSON');
  assert.equal(c.connectTimeout, '10s', 'untouched fields keep their default');
  assert.equal(c.defaultConfig?.concurrency, 2);
  assert.equal(c.defaultConfig?.drainDuration, '45s', 'defaultConfig merges over DefaultProxyConfig');
  assert.equal(c.defaultConfig?.tracing?.sampling, 100);
  assert.deepEqual(c.trustDomainAliases, ['old.local']);
  assert.deepEqual(
    c.extensionProviders?.map((p) => p.name),
    ['prometheus', 'stackdriver', 'envoy', 'ext-authz'],
  );
  assert.equal(c.extensionProviders?.[2]?.envoyFileAccessLog?.path, '/tmp/access.log');
  assert.deepEqual(c.defaultProviders?.accessLogging, ['envoy']);
});

test('an empty file is the defaults', () => {
  const r = loadMeshConfig('', 'mesh.yaml');
  assert.ok(r.ok);
  assert.deepEqual(r.config, defaultMeshConfig());
});

const INVALID: [string, string, string, number][] = [
  [
    'unknown top-level field',
    'enableTracing: true\noutboundTrafficPolicey: {mode: ALLOW_ANY}\n',
    'outboundTrafficPolicey: unknown field "outboundTrafficPolicey" (did you mean "outboundTrafficPolicy"?)',
    2,
  ],
  [
    'snake_case field',
    'access_log_file: /dev/stdout\n',
    'access_log_file: unknown field "access_log_file" (did you mean "accessLogFile"?)',
    1,
  ],
  [
    'unknown proxy config field',
    'defaultConfig:\n  drainDurations: 5s\n',
    'defaultConfig.drainDurations: unknown field "drainDurations" (did you mean "drainDuration"?)',
    2,
  ],
  [
    'outbound mode enum',
    'outboundTrafficPolicy:\n  mode: ALLOW_ALL\n',
    'outboundTrafficPolicy.mode: Unsupported value: "ALLOW_ALL": supported values: "REGISTRY_ONLY", "ALLOW_ANY" (did you mean "ALLOW_ANY"?)',
    2,
  ],
  [
    'connect timeout minimum',
    'connectTimeout: 0s\n',
    'connectTimeout: must be a valid duration greater than 1ms, got 0s',
    1,
  ],
  [
    'discovery address needs a port',
    'defaultConfig:\n  discoveryAddress: istiod\n',
    'defaultConfig.discoveryAddress: invalid discovery address "istiod": want host:port',
    2,
  ],
  [
    'negative concurrency',
    'defaultConfig:\n  concurrency: -1\n',
    'defaultConfig.concurrency: must be greater than or equal to 0, got -1',
    2,
  ],
  [
    'provider needs service and port',
    'extensionProviders:\n- name: z\n  zipkin: {service: zipkin}\n',
    'extensionProviders[0].zipkin.port: Required value',
    3,
  ],
  [
    'provider needs one kind',
    'extensionProviders:\n- name: z\n',
    'extensionProviders[0]: extension provider "z" must set one provider: envoyExtAuthzHttp, envoyExtAuthzGrpc, zipkin, lightstep, datadog, skywalking, stackdriver, opencensus, opentelemetry, prometheus, envoyFileAccessLog, envoyHttpAls, envoyTcpAls, envoyOtelAls, sds',
    2,
  ],
  [
    'duplicate provider',
    'extensionProviders:\n- {name: a, prometheus: {}}\n- {name: a, prometheus: {}}\n',
    'extensionProviders[1].name: duplicate extension provider name "a"',
    3,
  ],
  [
    'default provider must exist',
    'defaultProviders:\n  tracing: [jaeger]\n',
    'defaultProviders.tracing[0]: extension provider "jaeger" is not defined in extensionProviders',
    2,
  ],
  ['trust domain', 'trustDomain: "*.local"\n', 'trustDomain: trust domain "*.local" is invalid', 1],
  [
    'h2 upgrade policy',
    'h2UpgradePolicy: ALWAYS\n',
    'h2UpgradePolicy: Unsupported value: "ALWAYS": supported values: "DO_NOT_UPGRADE", "UPGRADE"',
    1,
  ],
  [
    'tracing sampling range',
    'defaultConfig:\n  tracing:\n    sampling: 101\n',
    'defaultConfig.tracing.sampling: must be less than or equal to 100, got 101',
    3,
  ],
];

for (const [name, yaml, want, line] of INVALID)
  test(`invalid: ${name}`, () => {
    const r = loadMeshConfig(yaml, 'mesh.yaml');
    assert.equal(r.ok, false);
    if (r.ok) return;
    const got = r.errors.map((e) => `${e.path ?? ''}: ${e.message}`);
    assert.ok(got.includes(want), `want ${want}\n got ${got.join('\n     ')}`);
    assert.equal(r.errors.find((e) => `${e.path ?? ''}: ${e.message}` === want)?.line, line);
    assert.equal(r.errors[0]?.file, 'mesh.yaml');
  });

test('YAML syntax errors name the line', () => {
  const r = loadMeshConfig('a: [1\nb: 2\n', 'mesh.yaml');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.errors[0]!.message, /^YAML syntax error/);
});
