// Mixer's compiled adapters in Istio 1.1 (mixer/adapter/inventory.yaml): the templates each one
// supports, and handler params with the checks the adapter's Validate() makes.
import { cidrError } from '../common.js';
import {
  any,
  arr,
  bool,
  duration,
  enumOf,
  int,
  int64,
  map,
  num,
  parseDuration,
  str,
  type Path,
  type Schema,
  type Sink,
} from '../schema/dsl.js';
import { pbGet, pbObj } from './fields.js';
import type { TemplateName } from './templates.js';

type Rec = Record<string, unknown>;
const secs = (v: unknown): number => (typeof v === 'string' ? (parseDuration(v) ?? 0) : 0);

const denier = pbObj({
  status: pbObj({ code: int(), message: str(), details: arr(any()) }),
  valid_duration: duration(),
  valid_use_count: int({ min: 0 }),
});

const list = pbObj({
  provider_url: str(),
  refresh_interval: duration(),
  ttl: duration(),
  caching_interval: duration(),
  caching_use_count: int({ min: 0 }),
  overrides: arr(str()),
  entry_type: enumOf(['STRINGS', 'CASE_INSENSITIVE_STRINGS', 'IP_ADDRESSES', 'REGEX']),
  blacklist: bool(),
}).refine((p: Rec, path, sink) => {
  const url = pbGet(p, 'provider_url');
  if (typeof url === 'string' && url !== '') {
    if (!URL.canParse(url) || new URL(url).host === '')
      sink.error([...path, 'providerUrl'], 'URL scheme and host cannot be empty');
    const refresh = secs(pbGet(p, 'refresh_interval'));
    if (refresh < 1)
      sink.error(
        [...path, 'refreshInterval'],
        `refresh interval must be at least 1 second, it is ${refresh}s`,
      );
    if (secs(pbGet(p, 'ttl')) < refresh) sink.error([...path, 'ttl'], 'ttl must be > refreshInterval');
  }
  const overrides = (pbGet(p, 'overrides') ?? []) as string[];
  const type = pbGet(p, 'entry_type');
  overrides.forEach((o, i) => {
    if (type === 'IP_ADDRESSES' && cidrError(o))
      sink.error([...path, 'overrides', i], `could not parse ip address override ${o}: ${cidrError(o)}`);
    if (type === 'REGEX') {
      try {
        new RegExp(o);
      } catch (e) {
        sink.error([...path, 'overrides', i], `could not parse regex override ${o}: ${(e as Error).message}`);
      }
    }
  });
});

const memquotaOverride = pbObj({ dimensions: map(str()), max_amount: int64(), valid_duration: duration() });
const memquota = pbObj({
  quotas: arr(
    pbObj({ name: str(), max_amount: int64(), valid_duration: duration(), overrides: arr(memquotaOverride) }),
  ),
  min_deduplication_duration: duration(),
}).refine((p: Rec, path, sink) => {
  const dedup = pbGet(p, 'min_deduplication_duration');
  if (dedup !== undefined && secs(dedup) <= 0)
    sink.error(
      [...path, 'minDeduplicationDuration'],
      `deduplication window of ${String(dedup)} is invalid, must be > 0`,
    );
  checkQuotaNames((pbGet(p, 'quotas') ?? []) as Rec[], path, sink);
});

function checkQuotaNames(quotas: Rec[], path: Path, sink: Sink): void {
  const seen = new Set<string>();
  quotas.forEach((q, i) => {
    const name = q.name;
    if (typeof name !== 'string' || name === '')
      sink.error([...path, 'quotas', i, 'name'], 'quotas.name should not be empty');
    else if (seen.has(name)) sink.error([...path, 'quotas', i, 'name'], `Duplicate value: "${name}"`);
    else seen.add(name);
  });
}

const buckets = pbObj({
  linear_buckets: pbObj({
    num_finite_buckets: int({ min: 0 }),
    width: num({ exclusiveMin: 0 }),
    offset: num(),
  }),
  exponential_buckets: pbObj({
    num_finite_buckets: int({ min: 0 }),
    growth_factor: num({ exclusiveMin: 1 }),
    scale: num({ exclusiveMin: 0 }),
  }),
  explicit_buckets: pbObj({ bounds: arr(num()) }),
}).refine((b: Rec, path, sink) => {
  const set = ['linear_buckets', 'exponential_buckets', 'explicit_buckets'].filter(
    (k) => pbGet(b, k) !== undefined,
  );
  if (set.length > 1)
    sink.error(path, `only one of linearBuckets, exponentialBuckets, explicitBuckets may be set`);
});

const PROM_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const prometheus = pbObj({
  metrics: arr(
    pbObj({
      namespace: str(),
      name: str({ minLength: 1 }),
      instance_name: str({ minLength: 1 }),
      description: str(),
      kind: enumOf(['UNSPECIFIED', 'GAUGE', 'COUNTER', 'DISTRIBUTION']),
      buckets,
      label_names: arr(str({ pattern: PROM_NAME, patternHint: 'a Prometheus label name' }), { unique: true }),
    }).refine((m: Rec, path, sink) => {
      const full = [m.namespace ?? 'istio', m.name].filter((x) => x !== '').join('_');
      if (typeof m.name === 'string' && !PROM_NAME.test(full))
        sink.error([...path, 'name'], `${JSON.stringify(full)} is not a valid Prometheus metric name`);
      if (pbGet(m, 'kind') === 'DISTRIBUTION' && m.buckets === undefined)
        sink.error([...path, 'buckets'], 'Required value: a DISTRIBUTION metric needs buckets');
    }),
  ),
  metrics_expiration_policy: pbObj({
    metrics_expiry_duration: duration(),
    expiry_check_interval_duration: duration(),
  }).refine((e: Rec, path, sink) => {
    if (secs(pbGet(e, 'metrics_expiry_duration')) <= 0)
      sink.error([...path, 'metricsExpiryDuration'], 'metricsExpiryDuration must be > 0');
  }),
});

const LEVEL = ['INFO', 'WARNING', 'ERROR'] as const;
const stdio = pbObj({
  log_stream: enumOf(['STDOUT', 'STDERR', 'FILE', 'ROTATED_FILE']),
  severity_levels: map(enumOf(LEVEL)),
  metric_level: enumOf(LEVEL),
  output_as_json: bool(),
  output_level: enumOf(LEVEL),
  output_path: str(),
  max_megabytes_before_rotation: int({ min: 0 }),
  max_days_before_rotation: int({ min: 0 }),
  max_rotated_files: int({ min: 0 }),
}).refine((p: Rec, path, sink) => {
  const stream = pbGet(p, 'log_stream') ?? 'STDOUT';
  const out = pbGet(p, 'output_path');
  if ((stream === 'STDOUT' || stream === 'STDERR') && out)
    sink.error(
      [...path, 'outputPath'],
      'cannot specify an output path when using a STDOUT or STDERR log stream',
    );
  if ((stream === 'FILE' || stream === 'ROTATED_FILE') && !out)
    sink.error(
      [...path, 'outputPath'],
      'need a valid output path when using a FILE or ROTATED_FILE log stream',
    );
});

const redisquota = pbObj({
  quotas: arr(
    pbObj({
      name: str(),
      max_amount: int64(),
      valid_duration: duration(),
      bucket_duration: duration(),
      rate_limit_algorithm: enumOf(['FIXED_WINDOW', 'ROLLING_WINDOW']),
      overrides: arr(pbObj({ dimensions: map(str()), max_amount: int64() })),
    }).refine((q: Rec, path, sink) => {
      const valid = secs(pbGet(q, 'valid_duration'));
      if (valid <= 0)
        sink.error([...path, 'validDuration'], 'quotas.valid_duration should be bigger must be > 0');
      if (pbGet(q, 'rate_limit_algorithm') === 'ROLLING_WINDOW') {
        const bucket = secs(pbGet(q, 'bucket_duration'));
        if (bucket <= 0)
          sink.error(
            [...path, 'bucketDuration'],
            'quotas.bucket_duration should be > 0 for ROLLING_WINDOW algorithm',
          );
        else if (valid > 0 && valid <= bucket)
          sink.error(
            [...path, 'validDuration'],
            'quotas.valid_duration should be longer than quotas.bucket_duration for ROLLING_WINDOW algorithm',
          );
      }
      ((q.overrides ?? []) as Rec[]).forEach((o, i) => {
        if (Number(pbGet(o, 'max_amount') ?? 0) <= 0)
          sink.error([...path, 'overrides', i, 'maxAmount'], 'quotas.overrides.max_amount must be > 0');
        if (Object.keys((o.dimensions ?? {}) as Rec).length === 0)
          sink.error([...path, 'overrides', i, 'dimensions'], 'quotas.overrides.dimensions is empty');
      });
    }),
  ),
  redis_server_url: str(),
  connection_pool_size: int64({ min: 0 }),
}).refine((p: Rec, path, sink) => {
  const quotas = (pbGet(p, 'quotas') ?? []) as Rec[];
  if (quotas.length === 0) sink.error([...path, 'quotas'], 'quota should not be empty');
  checkQuotaNames(quotas, path, sink);
  if (!pbGet(p, 'redis_server_url'))
    sink.error([...path, 'redisServerUrl'], 'redis_server_url should not be empty');
});

const kubernetesenv = pbObj({
  kubeconfig_path: str(),
  cache_refresh_duration: duration(),
  cluster_registries_namespace: str(),
});

export interface AdapterDef {
  templates: readonly TemplateName[];
  /** Undefined for adapters Weft does not run: their params are accepted with a warning. */
  params?: Schema<unknown>;
}

export const ADAPTERS: Record<string, AdapterDef> = {
  bypass: { templates: ['checknothing', 'metric', 'quota', 'reportnothing'] },
  circonus: { templates: ['metric'] },
  cloudwatch: { templates: ['logentry', 'metric'] },
  denier: { templates: ['checknothing', 'listentry', 'quota'], params: denier },
  dogstatsd: { templates: ['metric'] },
  fluentd: { templates: ['logentry'] },
  kubernetesenv: { templates: ['kubernetes'], params: kubernetesenv },
  // The list adapter registers itself as listchecker (its GetInfo name), the name handlers use.
  listchecker: { templates: ['listentry'], params: list },
  memquota: { templates: ['quota'], params: memquota },
  noop: {
    templates: [
      'authorization',
      'checknothing',
      'listentry',
      'logentry',
      'metric',
      'quota',
      'reportnothing',
      'tracespan',
    ],
    params: pbObj({}),
  },
  opa: { templates: ['authorization'] },
  prometheus: { templates: ['metric'], params: prometheus },
  rbac: { templates: ['authorization'] },
  redisquota: { templates: ['quota'], params: redisquota },
  signalfx: { templates: ['metric', 'tracespan'] },
  solarwinds: { templates: ['logentry', 'metric'] },
  stackdriver: { templates: ['edge', 'logentry', 'metric', 'tracespan'] },
  statsd: { templates: ['metric'] },
  stdio: { templates: ['logentry', 'metric'], params: stdio },
  zipkin: { templates: ['tracespan'] },
};
