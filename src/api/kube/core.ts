// Kubernetes core/v1 kinds a Weft workload needs: Namespace, Service, Endpoints, Pod,
// ServiceAccount, Secret and ConfigMap (also the mesh config's home), with the API server's
// validation messages.
import { isIP } from 'node:net';
import { cidrError, labels } from '../common.js';
import { checkMeshConfigMap } from '../mesh-configmap.js';
import { registerKind } from '../registry.js';
import { arr, bool, enumOf, int, map, obj, str, type Schema } from '../schema/dsl.js';
import { dnsLabel, intOrStringPort, invalid, port, portName, protocol } from './meta.js';
import { PodSpec } from './pod.js';

const core = (
  kind: string,
  plural: string,
  body: Record<string, Schema<unknown>>,
  extra: { aliases?: string[]; namespaced?: boolean; required?: string[] } = {},
): void => {
  registerKind({
    group: '',
    kind,
    versions: ['v1'],
    plural,
    namespaced: extra.namespaced ?? true,
    body,
    ...(extra.aliases ? { aliases: extra.aliases } : {}),
    ...(extra.required ? { required: extra.required } : {}),
  });
};

core(
  'Namespace',
  'namespaces',
  { spec: obj({ finalizers: arr(str()) }) },
  { aliases: ['ns'], namespaced: false },
);

const NODE_PORT_RANGE = [30000, 32767] as const;

const ServicePort = obj(
  {
    name: portName(),
    protocol: protocol(),
    appProtocol: str(),
    port: port(),
    targetPort: intOrStringPort(),
    nodePort: int(),
  },
  { required: ['port'] },
);

const ServiceSpec = obj({
  type: enumOf(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
  ports: arr(ServicePort),
  selector: labels(),
  clusterIP: str(),
  clusterIPs: arr(str(), { maxItems: 2 }),
  externalIPs: arr(str()),
  externalName: str(),
  externalTrafficPolicy: enumOf(['Cluster', 'Local']),
  internalTrafficPolicy: enumOf(['Cluster', 'Local']),
  healthCheckNodePort: int(),
  ipFamilies: arr(enumOf(['IPv4', 'IPv6']), { maxItems: 2 }),
  ipFamilyPolicy: enumOf(['SingleStack', 'PreferDualStack', 'RequireDualStack']),
  loadBalancerIP: str(),
  loadBalancerSourceRanges: arr(str()),
  loadBalancerClass: str(),
  allocateLoadBalancerNodePorts: bool(),
  publishNotReadyAddresses: bool(),
  sessionAffinity: enumOf(['None', 'ClientIP']),
  sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int({ min: 1, max: 86400 }) }) }),
  trafficDistribution: str(),
}).refine((s, path, sink) => {
  const type = s.type ?? 'ClusterIP';
  const ports = s.ports ?? [];
  if (type === 'ExternalName') {
    if (!s.externalName) sink.error([...path, 'externalName'], 'Required value');
  } else if (ports.length === 0 && s.clusterIP !== 'None') sink.error([...path, 'ports'], 'Required value');
  if (s.clusterIP && s.clusterIP !== 'None' && isIP(s.clusterIP) === 0)
    sink.error([...path, 'clusterIP'], invalid(s.clusterIP, "must be empty, 'None', or a valid IP address"));
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const at = [...path, 'ports', i];
    if (ports.length > 1 && !p.name) sink.error([...at, 'name'], 'Required value');
    if (p.name) {
      if (names.has(p.name)) sink.error([...at, 'name'], `Duplicate value: ${JSON.stringify(p.name)}`);
      names.add(p.name);
    }
    const key = `${p.port}/${p.protocol ?? 'TCP'}`;
    if (keys.has(key))
      sink.error(at, `Duplicate value: core.ServicePort{Port:${p.port}, Protocol:"${p.protocol ?? 'TCP'}"}`);
    keys.add(key);
    if (p.nodePort !== undefined) {
      if (type === 'ClusterIP' || type === 'ExternalName')
        sink.error([...at, 'nodePort'], `Forbidden: may not be used when \`type\` is '${type}'`);
      else if (p.nodePort < NODE_PORT_RANGE[0] || p.nodePort > NODE_PORT_RANGE[1])
        sink.error(
          [...at, 'nodePort'],
          invalid(
            p.nodePort,
            `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.join('-')}`,
          ),
        );
    }
  });
  (s.loadBalancerSourceRanges ?? []).forEach((r, i) => {
    const e = cidrError(r);
    if (e) sink.error([...path, 'loadBalancerSourceRanges', i], invalid(r, e));
  });
});

core('Service', 'services', { spec: ServiceSpec }, { aliases: ['svc'], required: ['spec'] });

const EndpointAddress = obj(
  {
    ip: str().refine((ip, path, sink) => {
      if (isIP(ip) === 0) sink.error(path, invalid(ip, 'must be a valid IP address'));
    }),
    hostname: dnsLabel(),
    nodeName: str(),
    targetRef: obj({
      kind: str(),
      namespace: str(),
      name: str(),
      uid: str(),
      apiVersion: str(),
      resourceVersion: str(),
      fieldPath: str(),
    }),
  },
  { required: ['ip'] },
);
const EndpointSubset = obj({
  addresses: arr(EndpointAddress),
  notReadyAddresses: arr(EndpointAddress),
  ports: arr(
    obj({ name: portName(), port: port(), protocol: protocol(), appProtocol: str() }, { required: ['port'] }),
  ),
}).refine((s, path, sink) => {
  const ports = s.ports ?? [];
  ports.forEach((p, i) => {
    if (ports.length > 1 && !p.name) sink.error([...path, 'ports', i, 'name'], 'Required value');
  });
});
core('Endpoints', 'endpoints', { subsets: arr(EndpointSubset) }, { aliases: ['ep'] });

core('Pod', 'pods', { spec: PodSpec }, { aliases: ['po'], required: ['spec'] });

core(
  'ServiceAccount',
  'serviceaccounts',
  {
    secrets: arr(obj({ name: str(), namespace: str(), kind: str(), apiVersion: str(), uid: str() })),
    imagePullSecrets: arr(obj({ name: str() })),
    automountServiceAccountToken: bool(),
  },
  { aliases: ['sa'] },
);

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const configKeys = <T>(value: Schema<T>): Schema<Record<string, T>> =>
  map(value).refine((m, path, sink) => {
    for (const k of Object.keys(m))
      if (!CONFIG_KEY.test(k) || k.length > 253)
        sink.error(
          [...path, k],
          invalid(k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"),
        );
  });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64 = (): Schema<string> =>
  str().refine((s, path, sink) => {
    if (!BASE64.test(s.replace(/\s+/g, '')))
      sink.error(path, invalid('<value omitted>', 'illegal base64 data: use stringData for plain text'));
  });

const REQUIRED_SECRET_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
};

registerKind({
  group: '',
  kind: 'Secret',
  versions: ['v1'],
  plural: 'secrets',
  namespaced: true,
  body: { type: str(), data: configKeys(base64()), stringData: configKeys(str()), immutable: bool() },
  validate(res, sink) {
    const keys = [
      ...Object.keys((res.data ?? {}) as object),
      ...Object.keys((res.stringData ?? {}) as object),
    ];
    for (const k of missingSecretKeys(res.type as string | undefined, keys))
      sink.error(['data', k], 'Required value');
  },
});
registerKind({
  group: '',
  kind: 'ConfigMap',
  versions: ['v1'],
  plural: 'configmaps',
  namespaced: true,
  aliases: ['cm'],
  body: { data: configKeys(str()), binaryData: configKeys(base64()), immutable: bool() },
  validate: checkMeshConfigMap,
});

/** Keys a typed Secret must carry, across data and stringData (Kubernetes ValidateSecret). */
function missingSecretKeys(type: string | undefined, keys: Iterable<string>): string[] {
  const have = new Set(keys);
  return (REQUIRED_SECRET_KEYS[type ?? ''] ?? []).filter((k) => !have.has(k));
}
