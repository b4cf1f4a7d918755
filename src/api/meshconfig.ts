// Istio's MeshConfig (mesh/v1alpha1 config.proto and proxy.proto): the typed mesh-wide settings,
// Istio's defaults (pkg/config/mesh DefaultMeshConfig) and loading a user's YAML over them the way
// ApplyMeshConfig does: fields replace defaults, defaultConfig merges, providers merge by name.
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { isIPAddress, labels, wildcardDomainError } from './common.js';
import { ClientTLSSettings } from './networking/tls.js';
import {
  ConnectionPoolSettings,
  LocalityLoadBalancerSetting,
  OutlierDetection,
} from './networking/traffic-policy.js';
import {
  any,
  arr,
  bool,
  duration,
  enumOf,
  formatPath,
  int,
  map,
  num,
  obj,
  str,
  struct,
  uint32,
  Sink,
  type Infer,
  type Path,
  type Schema,
} from './schema/dsl.js';
import type { Diagnostic } from '../config/diagnostics.js';

const MIN = { min: 0.001, minHint: '1ms' };
const port = (): Schema<number> => int({ min: 0, max: 65535 });
const service = (): Schema<string> => str();

const header = obj(
  { name: str({ minLength: 1 }), value: str(), envName: str() },
  { required: ['name'], oneOf: [['value', 'envName']] },
);
const httpService = obj({ path: str(), timeout: duration(), headers: arr(header) });
const remoteService = obj({ address: str(), tlsSettings: ClientTLSSettings, tcpKeepalive: any() });

/** ProxyConfig.tracing */
const Tracing = obj(
  {
    zipkin: obj({ address: str() }),
    lightstep: obj({ address: str(), accessToken: str() }),
    datadog: obj({ address: str() }),
    stackdriver: obj({
      debug: bool(),
      maxNumberOfAttributes: uint32(),
      maxNumberOfAnnotations: uint32(),
      maxNumberOfMessageEvents: uint32(),
    }),
    openCensusAgent: obj({
      address: str(),
      context: arr(enumOf(['UNSPECIFIED', 'W3C_TRACE_CONTEXT', 'GRPC_BIN', 'CLOUD_TRACE_CONTEXT', 'B3'])),
    }),
    customTags: map(
      obj(
        {
          literal: obj({ value: str() }),
          environment: obj({ name: str({ minLength: 1 }), defaultValue: str() }, { required: ['name'] }),
          header: obj({ name: str({ minLength: 1 }), defaultValue: str() }, { required: ['name'] }),
        },
        { oneOf: [['literal', 'environment', 'header']] },
      ),
    ),
    maxPathTagLength: uint32(),
    sampling: num({ min: 0, max: 100 }),
    tlsSettings: ClientTLSSettings,
    enableIstioTags: bool(),
  },
  { oneOf: [['zipkin', 'lightstep', 'datadog', 'stackdriver', 'openCensusAgent']] },
);

/** mesh/v1alpha1 ProxyConfig as MeshConfig.defaultConfig carries it. */
export const ProxyConfigSchema = obj({
  configPath: str(),
  binaryPath: str(),
  serviceCluster: str(),
  tracingServiceName: enumOf([
    'APP_LABEL_AND_NAMESPACE',
    'CANONICAL_NAME_ONLY',
    'CANONICAL_NAME_AND_NAMESPACE',
  ]),
  drainDuration: duration(MIN),
  parentShutdownDuration: duration(MIN),
  terminationDrainDuration: duration(),
  discoveryAddress: str().refine((a, path, sink) => {
    const m = /^(.+):(\d+)$/.exec(a);
    if (!m) sink.error(path, `invalid discovery address ${JSON.stringify(a)}: want host:port`);
    else if (Number(m[2]) < 1 || Number(m[2]) > 65535)
      sink.error(path, `invalid discovery address ${JSON.stringify(a)}: port must be between 1-65535`);
  }),
  discoveryRefreshDelay: duration(),
  zipkinAddress: str(),
  statsdUdpAddress: str(),
  envoyMetricsServiceAddress: str(),
  proxyAdminPort: port(),
  availabilityZone: str(),
  controlPlaneAuthPolicy: enumOf(['NONE', 'MUTUAL_TLS', 'INHERIT']),
  customConfigFile: str(),
  statNameLength: int({ min: 0 }),
  concurrency: int({ min: 0, allowString: true }),
  proxyBootstrapTemplatePath: str(),
  interceptionMode: enumOf(['REDIRECT', 'TPROXY', 'NONE']),
  tracing: Tracing,
  envoyAccessLogService: remoteService,
  envoyMetricsService: remoteService,
  proxyMetadata: map(str()),
  runtimeValues: map(str()),
  statusPort: port(),
  extraStatTags: arr(str()),
  gatewayTopology: obj({
    numTrustedProxies: uint32(),
    forwardClientCertDetails: str(),
    proxyProtocol: struct(),
    forwardedHeaders: any(),
  }),
  meshId: str(),
  readinessProbe: struct(),
  proxyStatsMatcher: obj({
    inclusionPrefixes: arr(str()),
    inclusionSuffixes: arr(str()),
    inclusionRegexps: arr(str()),
  }),
  holdApplicationUntilProxyStarts: bool(),
  caCertificatesPem: arr(str()),
  image: obj({ imageType: str() }),
  privateKeyProvider: struct(),
  proxyHeaders: struct(),
  fileFlushInterval: duration(),
  fileFlushMinSizeKb: uint32(),
  statsCompression: bool(),
});
export type ProxyConfigValues = Infer<typeof ProxyConfigSchema>;

const extAuthzBody = obj({ maxRequestBytes: uint32(), allowPartialMessage: bool(), packAsBytes: bool() });
const PROVIDERS = {
  envoyExtAuthzHttp: obj(
    {
      service: service(),
      port: port(),
      timeout: duration(),
      pathPrefix: str(),
      failOpen: bool(),
      clearRouteCache: bool(),
      statusOnError: str(),
      includeHeadersInCheck: arr(str()),
      includeRequestHeadersInCheck: arr(str()),
      includeAdditionalHeadersInCheck: map(str()),
      includeRequestBodyInCheck: extAuthzBody,
      headersToUpstreamOnAllow: arr(str()),
      headersToDownstreamOnDeny: arr(str()),
      headersToDownstreamOnAllow: arr(str()),
    },
    { required: ['service', 'port'] },
  ),
  envoyExtAuthzGrpc: obj(
    {
      service: service(),
      port: port(),
      timeout: duration(),
      failOpen: bool(),
      clearRouteCache: bool(),
      statusOnError: str(),
      includeRequestBodyInCheck: extAuthzBody,
    },
    { required: ['service', 'port'] },
  ),
  zipkin: obj(
    {
      service: service(),
      port: port(),
      maxTagLength: uint32(),
      enable64bitTraceId: bool(),
      path: str(),
      traceContextOption: enumOf(['USE_B3', 'USE_B3_WITH_W3C_PROPAGATION']),
      timeout: duration(),
      headers: arr(header),
    },
    { required: ['service', 'port'] },
  ),
  lightstep: obj(
    { service: service(), port: port(), accessToken: str(), maxTagLength: uint32() },
    { required: ['service', 'port'] },
  ),
  datadog: obj(
    { service: service(), port: port(), maxTagLength: uint32() },
    { required: ['service', 'port'] },
  ),
  skywalking: obj(
    { service: service(), port: port(), accessToken: str() },
    { required: ['service', 'port'] },
  ),
  stackdriver: obj({
    debug: bool(),
    maxTagLength: uint32(),
    maxNumberOfAttributes: uint32(),
    maxNumberOfAnnotations: uint32(),
    maxNumberOfMessageEvents: uint32(),
    logging: obj({ labels: map(str()) }),
  }),
  opencensus: obj(
    { service: service(), port: port(), maxTagLength: uint32(), context: arr(str()) },
    { required: ['service', 'port'] },
  ),
  opentelemetry: obj(
    {
      service: service(),
      port: port(),
      maxTagLength: uint32(),
      http: httpService,
      grpc: obj({ timeout: duration(), initialMetadata: arr(header) }),
      resourceDetectors: struct(),
      dynatraceSampler: struct(),
      serviceAttributeEnrichment: str(),
    },
    { required: ['service', 'port'] },
  ),
  prometheus: obj({}),
  envoyFileAccessLog: obj({
    path: str(),
    logFormat: obj({ text: str(), labels: struct() }, { oneOf: [['text', 'labels']] }),
    omitEmptyValues: bool(),
  }),
  envoyHttpAls: obj(
    {
      service: service(),
      port: port(),
      logName: str(),
      filterStateObjectsToLog: arr(str()),
      additionalRequestHeadersToLog: arr(str()),
      additionalResponseHeadersToLog: arr(str()),
      additionalResponseTrailersToLog: arr(str()),
    },
    { required: ['service', 'port'] },
  ),
  envoyTcpAls: obj(
    { service: service(), port: port(), logName: str(), filterStateObjectsToLog: arr(str()) },
    { required: ['service', 'port'] },
  ),
  envoyOtelAls: obj(
    { service: service(), port: port(), logName: str(), logFormat: obj({ text: str(), labels: struct() }) },
    { required: ['service', 'port'] },
  ),
  sds: obj({ name: str({ minLength: 1 }), service: service() }, { required: ['name'] }),
} satisfies Record<string, Schema<unknown>>;
const PROVIDER_KINDS = Object.keys(PROVIDERS);

const ExtensionProvider = obj(
  { name: str({ minLength: 1 }), ...PROVIDERS },
  { required: ['name'], oneOf: [PROVIDER_KINDS as (keyof typeof PROVIDERS)[]] },
).refine((p, path, sink) => {
  if (!PROVIDER_KINDS.some((k) => (p as Record<string, unknown>)[k] !== undefined))
    sink.error(
      path,
      `extension provider ${JSON.stringify(p.name)} must set one provider: ${PROVIDER_KINDS.join(', ')}`,
    );
});

const LabelSelector = obj({
  matchLabels: labels(),
  matchExpressions: arr(
    obj(
      { key: str(), operator: enumOf(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: arr(str()) },
      { required: ['key', 'operator'] },
    ),
  ),
});
const exportTo = (): Schema<string[]> => arr(str({ minLength: 1 }));

export const MeshConfigSchema = obj({
  proxyListenPort: port(),
  proxyInboundListenPort: port(),
  proxyHttpPort: port(),
  connectTimeout: duration(MIN),
  hboneIdleTimeout: duration(),
  protocolDetectionTimeout: duration(),
  tcpKeepalive: obj({ probes: uint32(), time: duration(), interval: duration() }),
  ingressClass: str(),
  ingressService: str(),
  ingressControllerMode: enumOf(['UNSPECIFIED', 'OFF', 'DEFAULT', 'STRICT']),
  ingressSelector: str(),
  enableTracing: bool(),
  accessLogFile: str(),
  accessLogFormat: str(),
  accessLogEncoding: enumOf(['TEXT', 'JSON']),
  enableEnvoyAccessLogService: bool(),
  disableEnvoyListenerLog: bool(),
  defaultConfig: ProxyConfigSchema,
  outboundTrafficPolicy: obj({ mode: enumOf(['REGISTRY_ONLY', 'ALLOW_ANY']) }),
  inboundTrafficPolicy: obj({ mode: enumOf(['PASSTHROUGH', 'LOCALHOST']) }),
  configSources: arr(
    obj(
      {
        address: str({ minLength: 1 }),
        tlsSettings: ClientTLSSettings,
        subscribedResources: arr(enumOf(['SERVICE_REGISTRY'])),
      },
      { required: ['address'] },
    ),
  ),
  enableAutoMtls: bool(),
  // Istio 1.1's Mixer policy checks (istio-policy): off, and what an unreachable Mixer means.
  disablePolicyChecks: bool(),
  policyCheckFailOpen: bool(),
  trustDomain: str().refine((d, path, sink) => {
    const e = d === '' ? undefined : wildcardDomainError(d);
    if (e || d.includes('*'))
      sink.error(path, `trust domain ${JSON.stringify(d)} is invalid${e ? `: ${e}` : ''}`);
  }),
  trustDomainAliases: arr(str()),
  caCertificates: arr(
    obj(
      { pem: str(), spiffeBundleUrl: str(), certSigners: arr(str()), trustDomains: arr(str()) },
      { oneOf: [['pem', 'spiffeBundleUrl']] },
    ),
  ),
  defaultServiceExportTo: exportTo(),
  defaultVirtualServiceExportTo: exportTo(),
  defaultDestinationRuleExportTo: exportTo(),
  rootNamespace: str(),
  localityLbSetting: LocalityLoadBalancerSetting,
  dnsRefreshRate: duration(MIN),
  h2UpgradePolicy: enumOf(['DO_NOT_UPGRADE', 'UPGRADE']),
  inboundClusterStatName: str(),
  outboundClusterStatName: str(),
  certificates: arr(obj({ secretName: str(), dnsNames: arr(str()) })),
  serviceSettings: arr(obj({ settings: obj({ clusterLocal: bool() }), hosts: arr(str()) })),
  enablePrometheusMerge: bool(),
  verifyCertificateAtClient: bool(),
  ca: obj({ address: str(), tlsSettings: ClientTLSSettings, requestTimeout: duration(), istiodSide: bool() }),
  extensionProviders: arr(ExtensionProvider),
  defaultProviders: obj({ tracing: arr(str()), metrics: arr(str()), accessLogging: arr(str()) }),
  discoverySelectors: arr(LabelSelector),
  pathNormalization: obj({
    normalization: enumOf(['DEFAULT', 'NONE', 'BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES']),
  }),
  defaultHttpRetryPolicy: struct(),
  meshMTLS: obj({
    minProtocolVersion: enumOf(['TLS_AUTO', 'TLSV1_2', 'TLSV1_3']),
    ecdhCurves: arr(str()),
    cipherSuites: arr(str()),
  }),
  tlsDefaults: obj({
    minProtocolVersion: enumOf(['TLS_AUTO', 'TLSV1_2', 'TLSV1_3']),
    ecdhCurves: arr(str()),
    cipherSuites: arr(str()),
  }),
  defaultTrafficPolicy: obj({ connectionPool: ConnectionPoolSettings, outlierDetection: OutlierDetection }),
}).refine((m, path, sink) => {
  const seen = new Set<string>();
  (m.extensionProviders ?? []).forEach((p, i) => {
    if (p.name === undefined) return;
    if (seen.has(p.name))
      sink.error(
        [...path, 'extensionProviders', i, 'name'],
        `duplicate extension provider name ${JSON.stringify(p.name)}`,
      );
    seen.add(p.name);
  });
  const known = new Set([...seen, ...DEFAULT_PROVIDER_NAMES]);
  for (const kind of ['tracing', 'metrics', 'accessLogging'] as const)
    (m.defaultProviders?.[kind] ?? []).forEach((n, i) => {
      if (!known.has(n))
        sink.error(
          [...path, 'defaultProviders', kind, i],
          `extension provider ${JSON.stringify(n)} is not defined in extensionProviders`,
        );
    });
  (m.configSources ?? []).forEach((c, i) => {
    if (c.address && isIPAddress(c.address))
      sink.error(
        [...path, 'configSources', i, 'address'],
        'address must include a port or scheme (e.g. xds://host:15010)',
      );
  });
});

export type MeshConfig = Infer<typeof MeshConfigSchema>;

const DEFAULT_PROVIDER_NAMES = ['prometheus', 'stackdriver', 'envoy'];

/** Istio's DefaultProxyConfig. */
export function defaultProxyConfig(): ProxyConfigValues {
  return {
    configPath: './etc/istio/proxy',
    binaryPath: '/usr/local/bin/envoy',
    serviceCluster: 'istio-proxy',
    drainDuration: '45s',
    terminationDrainDuration: '5s',
    proxyAdminPort: 15000,
    controlPlaneAuthPolicy: 'MUTUAL_TLS',
    discoveryAddress: 'istiod.istio-system.svc:15012',
    statNameLength: 189,
    statusPort: 15020,
  };
}

/** Istio's DefaultMeshConfig (a fresh object each call). */
export function defaultMeshConfig(): MeshConfig {
  return {
    enableTracing: true,
    accessLogFile: '',
    accessLogEncoding: 'TEXT',
    accessLogFormat: '',
    enableEnvoyAccessLogService: false,
    protocolDetectionTimeout: '0s',
    ingressService: 'istio-ingressgateway',
    ingressControllerMode: 'STRICT',
    ingressClass: 'istio',
    trustDomain: 'cluster.local',
    trustDomainAliases: [],
    enableAutoMtls: true,
    outboundTrafficPolicy: { mode: 'ALLOW_ANY' },
    inboundTrafficPolicy: { mode: 'PASSTHROUGH' },
    localityLbSetting: { enabled: true },
    certificates: [],
    defaultConfig: defaultProxyConfig(),
    rootNamespace: 'istio-system',
    proxyListenPort: 15001,
    proxyInboundListenPort: 15006,
    connectTimeout: '10s',
    defaultServiceExportTo: ['*'],
    defaultVirtualServiceExportTo: ['*'],
    defaultDestinationRuleExportTo: ['*'],
    dnsRefreshRate: '60s',
    serviceSettings: [],
    enablePrometheusMerge: true,
    defaultProviders: {},
    extensionProviders: [
      { name: 'prometheus', prometheus: {} },
      { name: 'stackdriver', stackdriver: {} },
      { name: 'envoy', envoyFileAccessLog: { path: '/dev/stdout' } },
    ],
  };
}

/** ApplyMeshConfig: user fields over the defaults; defaultConfig and provider lists merge. */
export function mergeMeshConfig(base: MeshConfig, user: MeshConfig): MeshConfig {
  const out: MeshConfig = { ...base, ...user };
  if (user.defaultConfig) {
    const pc = { ...(base.defaultConfig ?? {}), ...user.defaultConfig };
    if (base.defaultConfig?.proxyMetadata && user.defaultConfig.proxyMetadata)
      pc.proxyMetadata = { ...base.defaultConfig.proxyMetadata, ...user.defaultConfig.proxyMetadata };
    out.defaultConfig = pc;
  }
  if (user.defaultProviders) out.defaultProviders = { ...base.defaultProviders, ...user.defaultProviders };
  if (user.extensionProviders) {
    const providers = [...(base.extensionProviders ?? [])];
    for (const p of user.extensionProviders) {
      const i = providers.findIndex((e) => e.name === p.name);
      if (i >= 0) providers[i] = p;
      else providers.push(p);
    }
    out.extensionProviders = providers;
  }
  out.trustDomainAliases = [
    ...new Set([...(base.trustDomainAliases ?? []), ...(user.trustDomainAliases ?? [])]),
  ].sort();
  return out;
}

export type MeshConfigResult =
  { ok: true; config: MeshConfig; warnings: Diagnostic[] } | { ok: false; errors: Diagnostic[] };

function nodeAt(root: unknown, path: Path): Node | undefined {
  let cur: unknown = root;
  for (const key of path) {
    const next = isMap(cur)
      ? cur.get(key, true)
      : isSeq(cur) && typeof key === 'number'
        ? cur.get(key, true)
        : undefined;
    // A missing field (Required value) is reported on the line of its parent.
    if (next === undefined) return cur as Node;
    cur = next;
  }
  return cur as Node;
}

/** Parses mesh config YAML (the `mesh` key of the istio ConfigMap), validates it, merges over the defaults. */
export function loadMeshConfig(
  yamlText: string,
  file: string,
  base: MeshConfig = defaultMeshConfig(),
): MeshConfigResult {
  const lc = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0)
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        severity: 'error',
        file,
        line: e.linePos?.[0]?.line ?? 1,
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      })),
    };
  const value: unknown = doc.toJS() ?? {};
  const sink = new Sink();
  MeshConfigSchema.check(value, [], sink);
  const diags: Diagnostic[] = sink.issues.map((i) => {
    const n = nodeAt(doc.contents, i.path);
    return {
      severity: i.severity,
      file,
      line: n?.range ? lc.linePos(n.range[0]).line : 1,
      ...(i.path.length ? { path: formatPath(i.path) } : {}),
      message: i.message,
    };
  });
  if (!sink.ok) return { ok: false, errors: diags.filter((d) => d.severity === 'error') };
  return { ok: true, config: mergeMeshConfig(base, value as MeshConfig), warnings: diags };
}
