// telemetry.istio.io Telemetry (v1alpha1, v1): tracing, metrics and access logging per workload,
// with the CRD's rules and Istio's ValidateTelemetry (tag overrides, custom tags, CEL filters).
import { parse as parseCel } from '@marcbachmann/cel-js';
import { arr, bool, duration, enumOf, map, num, obj, str, type Infer } from '../schema/dsl.js';
import { targetedSpec, targetingFields, withObjectRule, has } from '../security/policy-targeting.js';

const nonEmpty = () => str({ minLength: 1 });

const WorkloadMode = enumOf(['CLIENT_AND_SERVER', 'CLIENT', 'SERVER']);

const ProviderRef = obj({ name: nonEmpty() }, { required: ['name'] });

const CustomTag = obj(
  {
    literal: obj({ value: nonEmpty() }, { required: ['value'] }),
    environment: obj({ name: nonEmpty(), defaultValue: str() }, { required: ['name'] }),
    header: obj({ name: nonEmpty(), defaultValue: str() }, { required: ['name'] }),
    formatter: obj({ value: nonEmpty() }, { required: ['value'] }),
  },
  { oneOf: [['literal', 'environment', 'header', 'formatter']] },
);

const Tracing = obj({
  match: obj({ mode: WorkloadMode }),
  providers: arr(ProviderRef),
  randomSamplingPercentage: num({ min: 0, max: 100 }),
  disableSpanReporting: bool(),
  customTags: map(CustomTag).refine((m, path, sink) => {
    if (Object.hasOwn(m, '')) sink.error(path, 'tag name may not be empty');
  }),
  useRequestIdForTraceSampling: bool(),
  enableIstioTags: bool(),
  disableContextPropagation: bool(),
}).refine((t, path, sink) => {
  if ((t.providers?.length ?? 0) > 1)
    sink.warn([...path, 'providers'], 'multiple providers is not currently supported');
});

const TagOverride = withObjectRule(
  obj({ operation: enumOf(['UPSERT', 'REMOVE']), value: str() }),
  (o, path, sink) => {
    const op = o.operation ?? 'UPSERT';
    if (op === 'UPSERT' && (o.value ?? '') === '')
      sink.error(path, 'value must be set when operation is UPSERT');
    if (op === 'REMOVE' && has(o, 'value'))
      sink.error(path, 'value must not be set when operation is REMOVE');
  },
);

const IstioMetric = enumOf([
  'ALL_METRICS',
  'REQUEST_COUNT',
  'REQUEST_DURATION',
  'REQUEST_SIZE',
  'RESPONSE_SIZE',
  'TCP_OPENED_CONNECTIONS',
  'TCP_CLOSED_CONNECTIONS',
  'TCP_SENT_BYTES',
  'TCP_RECEIVED_BYTES',
  'GRPC_REQUEST_MESSAGES',
  'GRPC_RESPONSE_MESSAGES',
]);

const MetricsOverrides = obj({
  match: obj(
    { metric: IstioMetric, customMetric: nonEmpty(), mode: WorkloadMode },
    { oneOf: [['metric', 'customMetric']] },
  ),
  disabled: bool(),
  tagOverrides: map(TagOverride).refine((m, path, sink) => {
    if (Object.hasOwn(m, '')) sink.warn(path, 'tagOverrides.name may not be empty');
  }),
});

const Metrics = obj({
  providers: arr(ProviderRef),
  overrides: arr(MetricsOverrides),
  reportingInterval: duration({ min: 0.001, minHint: '1ms' }),
});

const celExpression = str().refine((expr, path, sink) => {
  try {
    parseCel(expr);
  } catch (e) {
    sink.error(path, `must be a valid CEL expression, ${(e as Error).message.split('\n')[0]}`);
  }
});

const AccessLogging = obj({
  match: obj({ mode: WorkloadMode }),
  providers: arr(ProviderRef),
  disabled: bool(),
  filter: obj({ expression: celExpression }),
});

export const TelemetrySpec = targetedSpec(
  obj({
    ...targetingFields,
    tracing: arr(Tracing),
    metrics: arr(Metrics),
    accessLogging: arr(AccessLogging),
  }).refine((t, path, sink) => {
    if ((t.tracing?.length ?? 0) > 1)
      sink.warn([...path, 'tracing'], 'multiple tracing is not currently supported');
  }),
);
export type Telemetry = Infer<typeof TelemetrySpec>;
