import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResources } from '../../config/loader.js';
import { validateLoaded } from '../validate.js';
import { mixerReferences, adapterSupports, handlerAdapter, instanceTemplate } from './index.js';

const head = (kind: string, name = 'x'): string =>
  `apiVersion: config.istio.io/v1alpha2\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: weather\nspec:\n`;

function diags(yaml: string): string[] {
  const { resources, diagnostics } = parseResources(yaml, 'm.yaml');
  assert.deepEqual(diagnostics, []);
  return resources
    .flatMap(validateLoaded)
    .map((d) => `${d.severity === 'warning' ? 'warning: ' : ''}${d.path}: ${d.message}`);
}

const VALID: [string, string][] = [
  [
    'memquota handler (scenario 22)',
    `${head('handler', 'quotahandler')}  compiledAdapter: memquota
  params:
    quotas:
    - name: requestcountquota.instance.weather
      maxAmount: 4
      validDuration: 5s
      overrides:
      - dimensions: {destination: advertisement}
        maxAmount: 4
`,
  ],
  [
    'quota instance',
    `${head('instance', 'requestcountquota')}  compiledTemplate: quota
  params:
    dimensions:
      source: request.headers["x-forwarded-for"] | "unknown"
      destination: destination.labels["app"] | destination.service.name | "unknown"
      destinationVersion: destination.labels["version"] | "unknown"
`,
  ],
  [
    'rule with a match and an action',
    `${head('rule', 'quota')}  match: match(request.headers["cookie"], "user=tester") == false
  actions:
  - handler: quotahandler
    instances: [requestcountquota]
`,
  ],
  [
    'legacy denier + checknothing + rule (scenario 32)',
    `${head('denier', 'denycustomerhandler')}  status:
    code: 7
    message: Not allowed
---
${head('checknothing', 'denyrequest')}  {}
---
${head('rule', 'denycustomer')}  match: destination.labels["app"] == "advertisement" && source.labels["app"]=="frontend"
  actions:
  - handler: denycustomerhandler.denier
    instances: [ denyrequest.checknothing ]
`,
  ],
  [
    'listchecker whitelist + listentry (scenario 33)',
    `${head('listchecker', 'whitelist')}  overrides: ["frontend"]
  blacklist: false
---
${head('listentry', 'appsource')}  value: source.labels["app"]
`,
  ],
  [
    'metric + prometheus (scenario 42)',
    `${head('metric', 'customerrequestcount')}  value: "1"
  dimensions:
    method: request.method | "unknown"
    path: request.path | "unknown"
    useragent: request.useragent | "unknown"
    destination: destination.service.name | "unknown"
    code: response.code | 200
  monitored_resource_type: '"UNSPECIFIED"'
---
${head('prometheus', 'customerhandler')}  metrics:
  - name: customer_request_count
    instance_name: customerrequestcount.metric.weather
    kind: COUNTER
    label_names: [method, path, useragent, destination, code]
`,
  ],
  [
    'logentry and stdio',
    `${head('logentry', 'accesslog')}  severity: '"Info"'
  timestamp: context.time | timestamp("2017-01-01T00:00:00Z")
  variables:
    sourceIp: source.ip | ip("0.0.0.0")
    latency: response.duration | "0ms"
---
${head('stdio', 'handler')}  outputAsJson: true
`,
  ],
  [
    'attributemanifest and QuotaSpec/Binding',
    `${head('attributemanifest', 'extra')}  attributes:
    custom.tier:
      valueType: STRING
---
${head('QuotaSpec', 'request-count')}  rules:
  - quotas:
    - charge: 1
      quota: requestcountquota
---
${head('QuotaSpecBinding', 'request-count')}  quotaSpecs:
  - name: request-count
    namespace: weather
  services:
  - name: advertisement
`,
  ],
  [
    'legacy kubernetes generator with attribute_bindings',
    `${head('kubernetes', 'attributes')}  source_uid: source.uid | ""
  source_ip: source.ip | ip("0.0.0.0")
  destination_port: destination.port | 0
  attribute_bindings:
    source.labels: $out.source_labels | emptyStringMap()
`,
  ],
  [
    'out-of-process adapter with connection',
    `${head('handler', 'h')}  adapter: mygrpcadapter
  connection:
    address: "mygrpcadapterservice:44225"
`,
  ],
];

for (const [name, yaml] of VALID) test(`valid: ${name}`, () => assert.deepEqual(diags(yaml), []));

const INVALID: [string, string, string | RegExp][] = [
  [
    'rule match must be BOOL',
    `${head('rule')}  match: destination.service.name\n  actions: [{handler: h, instances: [i]}]\n`,
    "spec.match: expression 'destination.service.name' evaluated to type STRING, expected type BOOL",
  ],
  [
    'rule match unknown attribute',
    `${head('rule')}  match: source.lables["app"] == "x"\n  actions: [{handler: h, instances: [i]}]\n`,
    'spec.match: unknown attribute source.lables (did you mean "source.labels"?)',
  ],
  [
    'rule without actions',
    `${head('rule')}  match: "true"\n`,
    'spec.actions: No valid actions found in rule',
  ],
  [
    'rule action repeats an instance',
    `${head('rule')}  actions: [{handler: h, instances: [i, i]}]\n`,
    "spec.actions[0].instances[1]: action specified the same instance multiple times: instance='i'",
  ],
  [
    'rule action unknown field',
    `${head('rule')}  actions: [{handlr: h, instances: [i]}]\n`,
    'spec.actions[0].handlr: unknown field "handlr" (did you mean "handler"?)',
  ],
  [
    'header operation value must be STRING',
    `${head('rule')}  requestHeaderOperations:\n  - name: x-code\n    values: [response.code]\n`,
    "spec.requestHeaderOperations[0].values[0]: expression 'response.code' evaluated to type INT64, expected type STRING",
  ],
  [
    'header operation enum',
    `${head('rule')}  responseHeaderOperations:\n  - name: x\n    operation: DELETE\n`,
    /^spec.responseHeaderOperations\[0\].operation: Unsupported value: "DELETE"/,
  ],
  [
    'handler unknown adapter',
    `${head('handler')}  compiledAdapter: memquotas\n`,
    'spec.compiledAdapter: adapter \'memquotas\' not found (did you mean "memquota"?)',
  ],
  [
    'handler without adapter',
    `${head('handler')}  params: {}\n`,
    'spec.compiledAdapter: Required value: compiledAdapter or adapter',
  ],
  [
    'memquota param unknown field',
    `${head('handler')}  compiledAdapter: memquota\n  params:\n    quotas:\n    - name: q\n      maxAmmount: 4\n`,
    'spec.params.quotas[0].maxAmmount: unknown field "maxAmmount" (did you mean "maxAmount"?)',
  ],
  [
    'memquota bad duration',
    `${head('memquota')}  quotas:\n  - name: q\n    maxAmount: 4\n    validDuration: 5 seconds\n`,
    /^spec.quotas\[0\].validDuration: must be a valid duration/,
  ],
  [
    'memquota duplicate quota',
    `${head('memquota')}  quotas:\n  - name: q\n  - name: q\n`,
    'spec.quotas[1].name: Duplicate value: "q"',
  ],
  [
    'memquota both spellings',
    `${head('memquota')}  quotas:\n  - name: q\n    maxAmount: 1\n    max_amount: 2\n`,
    'spec.quotas[0]: only one of max_amount, maxAmount may be set (got max_amount and maxAmount)',
  ],
  [
    'denier status code type',
    `${head('denier')}  status:\n    code: seven\n`,
    /^spec.status.code: must be of type integer/,
  ],
  [
    'listchecker entry type',
    `${head('listchecker')}  entryType: IPS\n`,
    /^spec.entryType: Unsupported value: "IPS"/,
  ],
  [
    'listchecker bad IP override',
    `${head('listchecker')}  entryType: IP_ADDRESSES\n  overrides: ["10.0.0.300"]\n`,
    /^spec.overrides\[0\]: could not parse ip address override 10.0.0.300/,
  ],
  [
    'listchecker provider without refresh',
    `${head('listchecker')}  providerUrl: http://lists.local/list\n`,
    /^spec.refreshInterval: refresh interval must be at least 1 second/,
  ],
  [
    'prometheus distribution without buckets',
    `${head('prometheus')}  metrics:\n  - name: d\n    instance_name: d.metric.weather\n    kind: DISTRIBUTION\n`,
    'spec.metrics[0].buckets: Required value: a DISTRIBUTION metric needs buckets',
  ],
  [
    'prometheus bad label name',
    `${head('prometheus')}  metrics:\n  - name: c\n    instance_name: c.metric.weather\n    kind: COUNTER\n    label_names: [user-agent]\n`,
    /^spec.metrics\[0\].label_names\[0\]: should match a Prometheus label name/,
  ],
  [
    'stdio FILE needs a path',
    `${head('stdio')}  logStream: FILE\n`,
    'spec.outputPath: need a valid output path when using a FILE or ROTATED_FILE log stream',
  ],
  [
    'redisquota needs server and valid duration',
    `${head('redisquota')}  quotas:\n  - name: q\n    maxAmount: 5\n`,
    'spec.quotas[0].validDuration: quotas.valid_duration should be bigger must be > 0',
  ],
  [
    'redisquota rolling window bucket',
    `${head('redisquota')}  redisServerUrl: redis:6379\n  quotas:\n  - name: q\n    validDuration: 1s\n    bucketDuration: 2s\n    rateLimitAlgorithm: ROLLING_WINDOW\n`,
    'spec.quotas[0].validDuration: quotas.valid_duration should be longer than quotas.bucket_duration for ROLLING_WINDOW algorithm',
  ],
  [
    'attribute binding to an unknown attribute',
    `${head('kubernetes')}  attributeBindings:\n    source.workload.nam: $out.source_workload_name\n`,
    'spec.attributeBindings["source.workload.nam"]: unknown attribute source.workload.nam (did you mean "source.workload.name"?)',
  ],
  [
    'instance unknown template',
    `${head('instance')}  compiledTemplate: metrc\n  params: {}\n`,
    'spec.compiledTemplate: template \'metrc\' not found (did you mean "metric"?)',
  ],
  [
    'metric dimension unknown attribute',
    `${head('metric')}  value: "1"\n  dimensions:\n    code: response.status\n`,
    /^spec.dimensions.code: unknown attribute response.status/,
  ],
  [
    'metric unknown param',
    `${head('instance')}  compiledTemplate: metric\n  params:\n    value: "1"\n    dimension: {}\n`,
    'spec.params.dimension: unknown field "dimension" (did you mean "dimensions"?)',
  ],
  [
    'logentry timestamp must be TIMESTAMP',
    `${head('logentry')}  timestamp: request.path\n`,
    "spec.timestamp: expression 'request.path' evaluated to type STRING, expected type TIMESTAMP",
  ],
  [
    'logentry severity must be an expression string',
    `${head('logentry')}  severity: Info\n`,
    'spec.severity: unknown attribute Info',
  ],
  [
    'listentry value is an expression',
    `${head('listentry')}  value: source.labels["app"] |\n`,
    /^spec.value: unable to parse expression/,
  ],
  [
    'attributemanifest bad value type',
    `${head('attributemanifest')}  attributes:\n    a.b:\n      valueType: STRNG\n`,
    /^spec.attributes\["a.b"\].valueType: Unsupported value: "STRNG".*did you mean "STRING"/,
  ],
  [
    'QuotaSpec match needs one kind',
    `${head('QuotaSpec')}  rules:\n  - match:\n    - clause:\n        request.path: {exact: /a, prefix: /b}\n`,
    /^spec.rules\[0\].match\[0\].clause\["request.path"\]: exactly one of exact, prefix, regex/,
  ],
  [
    'unrun adapter params are accepted with a warning',
    `${head('handler')}  compiledAdapter: fluentd\n  params: {address: "fluentd:24224"}\n`,
    "warning: spec.compiledAdapter: adapter 'fluentd' is not run by Weft; its params are not checked",
  ],
];

for (const [name, yaml, want] of INVALID)
  test(`invalid: ${name}`, () => {
    const got = diags(yaml);
    if (typeof want === 'string') assert.ok(got.includes(want), `want ${want}\n got ${got.join('\n     ')}`);
    else
      assert.ok(
        got.some((g) => want.test(g)),
        `want ${String(want)}\n got ${got.join('\n     ')}`,
      );
  });

test('errors carry the line of the offending field', () => {
  const { resources } = parseResources(
    `${head('rule')}  actions: [{handler: h, instances: [i]}]\n  match: nope == 1\n`,
    'r.yaml',
  );
  const [d] = validateLoaded(resources[0]!);
  assert.equal(d?.line, 8);
  assert.equal(d?.file, 'r.yaml');
});

test('mixerReferences lists rule handlers and instances with Mixer name candidates', () => {
  const { resources } = parseResources(
    `${head('rule', 'r')}  actions:\n  - handler: denycustomerhandler.denier\n    instances: [denyrequest, other.istio-system]\n`,
    'r.yaml',
  );
  assert.deepEqual(mixerReferences(resources[0]!.resource), [
    {
      path: ['spec', 'actions', 0, 'handler'],
      role: 'handler',
      ref: 'denycustomerhandler.denier',
      candidates: ['denycustomerhandler.denier.weather', 'denycustomerhandler.handler.denier'],
    },
    {
      path: ['spec', 'actions', 0, 'instances', 0],
      role: 'instance',
      ref: 'denyrequest',
      candidates: ['denyrequest.instance.weather'],
    },
    {
      path: ['spec', 'actions', 0, 'instances', 1],
      role: 'instance',
      ref: 'other.istio-system',
      candidates: ['other.istio-system.weather', 'other.instance.istio-system'],
    },
  ]);
});

test('prometheus instance_name is a reference; adapters know their templates', () => {
  const { resources } = parseResources(
    `${head('handler', 'p')}  compiledAdapter: prometheus\n  params:\n    metrics:\n    - name: c\n      instanceName: c.metric.weather\n      kind: COUNTER\n`,
    'p.yaml',
  );
  const res = resources[0]!.resource;
  assert.deepEqual(
    mixerReferences(res).map((r) => [r.path.join('.'), r.candidates]),
    [['spec.params.metrics.0.instanceName', ['c.metric.weather']]],
  );
  assert.equal(handlerAdapter(res), 'prometheus');
  assert.equal(instanceTemplate({ ...res, kind: 'metric' }), 'metric');
  assert.equal(adapterSupports('memquota', 'quota'), true);
  assert.equal(adapterSupports('memquota', 'metric'), false);
});
