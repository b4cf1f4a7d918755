// Mixer's config.istio.io/v1alpha2 kinds (istio.policy.v1beta1 Handler, Instance, Rule,
// AttributeManifest; mixer/v1/config/client QuotaSpec, QuotaSpecBinding) and the legacy
// per-adapter (denier, listchecker, memquota, …) and per-template (metric, logentry, …) kinds.
import { labels } from '../common.js';
import { registerKind } from '../registry.js';
import { arr, bool, duration, enumOf, int64, map, str, struct, uint32, type Schema } from '../schema/dsl.js';
import { didYouMean } from '../schema/suggest.js';
import { ADAPTERS } from './adapters.js';
import { DEFAULT_VOCABULARY, VALUE_TYPES } from './attributes.js';
import { expression, pbGet, pbObj } from './fields.js';
import { TEMPLATE_NAMES, TEMPLATES, type TemplateName } from './templates.js';

export const GROUP = 'config.istio.io';
const VERSIONS = ['v1alpha2'] as const;
type Rec = Record<string, unknown>;

const connection = pbObj({
  address: str(),
  timeout: duration(),
  authentication: pbObj({
    tls: pbObj({
      ca_certificates: str(),
      token_path: str(),
      oauth: pbObj({
        client_id: str(),
        client_secret: str(),
        token_url: str(),
        scopes: arr(str()),
        endpoint_params: map(str()),
      }),
      auth_header: enumOf(['PLAIN', 'BEARER']),
      custom_header: str(),
      server_name: str(),
    }),
    mutual: pbObj({
      private_key: str(),
      client_certificate: str(),
      ca_certificates: str(),
      server_name: str(),
    }),
  }),
});

const handler = pbObj({
  name: str(),
  compiled_adapter: str(),
  adapter: str(),
  params: struct(),
  connection,
}).refine((h: Rec, path, sink) => {
  const compiled = pbGet(h, 'compiled_adapter') as string | undefined;
  const dynamic = pbGet(h, 'adapter') as string | undefined;
  if (!compiled && !dynamic)
    sink.error([...path, 'compiledAdapter'], 'Required value: compiledAdapter or adapter');
  if (compiled && dynamic) sink.error(path, 'only one of compiledAdapter, adapter may be set');
  if (compiled) {
    const def = ADAPTERS[compiled];
    const at = [...path, h.compiled_adapter !== undefined ? 'compiled_adapter' : 'compiledAdapter'];
    if (!def) sink.error(at, `adapter '${compiled}' not found${didYouMean(compiled, Object.keys(ADAPTERS))}`);
    else if (!def.params)
      sink.warn(at, `adapter '${compiled}' is not run by Weft; its params are not checked`);
    else def.params.check(h.params ?? {}, [...path, 'params'], sink);
  }
  if (dynamic && !(h.connection as Rec | undefined)?.address)
    sink.error(
      [...path, 'connection', 'address'],
      `Required value: out-of-process adapter '${dynamic}' needs an address`,
    );
});

// An attribute generator's outputs ($out.<field>) bound to attributes, which must be known ones.
const attributeBindings = map(str()).refine((m, path, sink) => {
  for (const attr of Object.keys(m))
    if (!DEFAULT_VOCABULARY.has(attr))
      sink.error(
        [...path, attr],
        `unknown attribute ${attr}${didYouMean(attr, [...DEFAULT_VOCABULARY.keys()])}`,
      );
});

const instance = pbObj({
  name: str(),
  compiled_template: str(),
  template: str(),
  params: struct(),
  attribute_bindings: attributeBindings,
}).refine((i: Rec, path, sink) => {
  const compiled = pbGet(i, 'compiled_template') as string | undefined;
  const dynamic = pbGet(i, 'template') as string | undefined;
  if (!compiled && !dynamic)
    sink.error([...path, 'compiledTemplate'], 'Required value: compiledTemplate or template');
  if (compiled && dynamic) sink.error(path, 'only one of compiledTemplate, template may be set');
  if (compiled) {
    const at = [...path, i.compiled_template !== undefined ? 'compiled_template' : 'compiledTemplate'];
    if (!(compiled in TEMPLATES))
      sink.error(at, `template '${compiled}' not found${didYouMean(compiled, TEMPLATE_NAMES)}`);
    else TEMPLATES[compiled as TemplateName].params.check(i.params ?? {}, [...path, 'params'], sink);
  }
});

const headerOperation = pbObj({
  name: str({ minLength: 1 }),
  values: arr(expression('STRING')),
  operation: enumOf(['REPLACE', 'REMOVE', 'APPEND']),
});

const rule = pbObj({
  match: str().refine((m, path, sink) => {
    // An empty match means "always" (Mixer only checks a non-empty one).
    if (m.trim() !== '') expression('BOOL').check(m, path, sink);
  }),
  actions: arr(
    pbObj({ handler: str({ minLength: 1 }), instances: arr(str({ minLength: 1 })), name: str() }).refine(
      (a: Rec, path, sink) => {
        if (a.handler === undefined) sink.error([...path, 'handler'], 'Required value');
        const seen = new Set<string>();
        ((a.instances ?? []) as string[]).forEach((n, i) => {
          if (seen.has(n))
            sink.error(
              [...path, 'instances', i],
              `action specified the same instance multiple times: instance='${n}'`,
            );
          seen.add(n);
        });
      },
    ),
  ),
  request_header_operations: arr(headerOperation),
  response_header_operations: arr(headerOperation),
  sampling: pbObj({
    random: pbObj({
      attribute_expression: expression(),
      percent_sampled: pbObj({ numerator: uint32(), denominator: enumOf(['HUNDRED', 'TEN_THOUSAND']) }),
      use_independent_randomness: bool(),
    }),
    rate_limit: pbObj({
      sampling_duration: duration(),
      max_unsampled_entries: int64(),
      sampling_rate: int64(),
    }),
  }),
}).refine((r: Rec, path, sink) => {
  const ops = ['actions', 'request_header_operations', 'response_header_operations'].some(
    (k) => ((pbGet(r, k) ?? []) as unknown[]).length > 0,
  );
  if (!ops) sink.error([...path, 'actions'], 'No valid actions found in rule');
});

const attributeManifest = pbObj({
  revision: str(),
  name: str(),
  attributes: map(pbObj({ description: str(), value_type: enumOf(VALUE_TYPES) })),
});

const stringMatch = pbObj({ exact: str(), prefix: str(), regex: str() }).refine((m: Rec, path, sink) => {
  const set = ['exact', 'prefix', 'regex'].filter((k) => m[k] !== undefined);
  if (set.length !== 1) sink.error(path, 'exactly one of exact, prefix, regex must be set');
});

const quotaSpec = pbObj({
  rules: arr(
    pbObj({
      match: arr(pbObj({ clause: map(stringMatch) })),
      quotas: arr(pbObj({ quota: str({ minLength: 1 }), charge: int64({ min: 0 }) })),
    }),
  ),
});

const quotaSpecBinding = pbObj({
  services: arr(pbObj({ name: str(), namespace: str(), domain: str(), service: str(), labels: labels() })),
  quota_specs: arr(pbObj({ name: str({ minLength: 1 }), namespace: str() })),
});

function register(kind: string, plural: string, spec: Schema<unknown>): void {
  registerKind({
    group: GROUP,
    kind,
    versions: VERSIONS,
    plural,
    namespaced: true,
    body: { spec },
    required: ['spec'],
  });
}

register('handler', 'handlers', handler);
register('instance', 'instances', instance);
register('rule', 'rules', rule);
register('attributemanifest', 'attributemanifests', attributeManifest);
register('QuotaSpec', 'quotaspecs', quotaSpec);
register('QuotaSpecBinding', 'quotaspecbindings', quotaSpecBinding);

/** Legacy kinds named after the adapter they configure. */
export const LEGACY_ADAPTER_KINDS: Record<string, string> = {
  denier: 'denier',
  listchecker: 'listchecker',
  memquota: 'memquota',
  prometheus: 'prometheus',
  stdio: 'stdio',
  redisquota: 'redisquota',
  kubernetesenv: 'kubernetesenv',
  noop: 'noop',
};
const PLURALS: Record<string, string> = {
  prometheus: 'prometheuses',
  kubernetes: 'kuberneteses',
  listentry: 'listentries',
  logentry: 'logentries',
};

for (const [kind, adapter] of Object.entries(LEGACY_ADAPTER_KINDS))
  register(kind, PLURALS[kind] ?? `${kind}s`, ADAPTERS[adapter]!.params!);
// A legacy template kind carries the params as its spec, plus attribute_bindings for generators.
const bindings = pbObj({ attribute_bindings: attributeBindings });
for (const t of TEMPLATE_NAMES) {
  const { params, variety } = TEMPLATES[t];
  const spec =
    variety === 'ATTRIBUTE_GENERATOR'
      ? params.extend(bindings.fields, {
          oneOf: [...(params.opts.oneOf ?? []), ...(bindings.opts.oneOf ?? [])],
        })
      : params;
  register(t, PLURALS[t] ?? `${t}s`, spec);
}
