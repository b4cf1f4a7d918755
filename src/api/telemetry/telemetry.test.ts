// Telemetry validation, case by case (v1alpha1 and v1 share one schema).
import { runCases, type Case } from '../security/validation-cases.test.js';

const tel = (name: string, spec: unknown, rest: Partial<Case> = {}): Case => ({
  name,
  apiVersion: 'telemetry.istio.io/v1',
  kind: 'Telemetry',
  spec,
  ...rest,
});

runCases([
  tel('mesh-default', {
    tracing: [{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 10, enableIstioTags: true }],
    accessLogging: [{ providers: [{ name: 'envoy' }], filter: { expression: 'response.code >= 400' } }],
    metrics: [
      {
        overrides: [
          { match: { metric: 'REQUEST_COUNT', mode: 'SERVER' }, tagOverrides: { x: { value: 'y' } } },
        ],
      },
    ],
  }),
  tel(
    'alpha-version',
    { metrics: [{ providers: [{ name: 'prometheus' }] }] },
    { apiVersion: 'telemetry.istio.io/v1alpha1' },
  ),
  tel(
    'bad-cel',
    { accessLogging: [{ filter: { expression: 'response.code >=' } }] },
    { error: { path: 'spec.accessLogging[0].filter.expression', message: 'must be a valid CEL expression' } },
  ),
  tel(
    'sampling-over-100',
    { tracing: [{ randomSamplingPercentage: 101 }] },
    { error: { path: 'spec.tracing[0].randomSamplingPercentage', message: 'less than or equal to 100' } },
  ),
  tel(
    'two-tag-kinds',
    { tracing: [{ customTags: { a: { literal: { value: 'x' }, header: { name: 'h' } } } }] },
    {
      error: {
        path: 'spec.tracing[0].customTags.a',
        message: 'only one of literal, environment, header, formatter',
      },
    },
  ),
  tel(
    'metric-and-custom-metric',
    { metrics: [{ overrides: [{ match: { metric: 'REQUEST_COUNT', customMetric: 'x' } }] }] },
    {
      error: {
        path: 'spec.metrics[0].overrides[0].match',
        message: 'only one of metric, customMetric may be set',
      },
    },
  ),
  tel(
    'unknown-metric',
    { metrics: [{ overrides: [{ match: { metric: 'REQUESTS_TOTAL' } }] }] },
    {
      error: {
        path: 'spec.metrics[0].overrides[0].match.metric',
        message: 'Unsupported value: "REQUESTS_TOTAL"',
      },
    },
  ),
  tel(
    'bad-mode',
    { accessLogging: [{ match: { mode: 'BOTH' } }] },
    { error: { path: 'spec.accessLogging[0].match.mode', message: 'supported values: "CLIENT_AND_SERVER"' } },
  ),
  tel(
    'reporting-interval-zero',
    { metrics: [{ reportingInterval: '0s' }] },
    { error: { path: 'spec.metrics[0].reportingInterval', message: 'greater than 1ms' } },
  ),
  tel(
    'two-tracings',
    { tracing: [{}, {}] },
    { warning: { path: 'spec.tracing', message: 'multiple tracing is not currently supported' } },
  ),
  tel(
    'selector-and-target-ref',
    { selector: { matchLabels: { a: 'b' } }, targetRef: { kind: 'Service', name: 's' } },
    { error: { path: 'spec', message: 'only one of targetRefs or selector can be set' } },
  ),
]);
