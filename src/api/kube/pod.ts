// core/v1 PodSpec as Weft runs it (containers, probes, env, ports, resources, volumes), with the
// checks the Kubernetes API server makes that a user would hit.
import { labels } from '../common.js';
import {
  any,
  arr,
  bool,
  enumOf,
  int,
  int64,
  map,
  obj,
  str,
  type Infer,
  type Path,
  type Sink,
} from '../schema/dsl.js';
import {
  dnsLabel,
  intOrStringPort,
  invalid,
  port,
  portName,
  protocol,
  quantity,
  quantityValue,
} from './meta.js';

const nonNeg = (): ReturnType<typeof int> => int({ min: 0 });
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

const keyRef = obj({ name: str(), key: str({ minLength: 1 }), optional: bool() }, { required: ['key'] });
const EnvVar = obj(
  {
    name: str({ minLength: 1 }).refine((n, path, sink) => {
      if (!ENV_NAME.test(n))
        sink.error(
          path,
          invalid(
            n,
            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
          ),
        );
    }),
    value: str(),
    valueFrom: obj(
      {
        fieldRef: obj({ fieldPath: str({ minLength: 1 }), apiVersion: str() }, { required: ['fieldPath'] }),
        resourceFieldRef: obj(
          { containerName: str(), resource: str({ minLength: 1 }), divisor: quantity() },
          { required: ['resource'] },
        ),
        configMapKeyRef: keyRef,
        secretKeyRef: keyRef,
      },
      { oneOf: [['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef']], minProperties: 1 },
    ),
  },
  { required: ['name'] },
).refine((e, path, sink) => {
  if (e.value && e.valueFrom)
    sink.error([...path, 'valueFrom'], 'Invalid value: "": may not be specified when `value` is not empty');
});

const source = obj({ name: str(), optional: bool() });
const EnvFromSource = obj(
  { prefix: str(), configMapRef: source, secretRef: source },
  { oneOf: [['configMapRef', 'secretRef']] },
);

const ContainerPort = obj(
  { name: portName(), containerPort: port(), protocol: protocol(), hostPort: port(), hostIP: str() },
  { required: ['containerPort'] },
);

const ExecAction = obj({ command: arr(str()) });
const HTTPGetAction = obj(
  {
    path: str(),
    port: intOrStringPort(),
    host: str(),
    scheme: enumOf(['HTTP', 'HTTPS']),
    httpHeaders: arr(obj({ name: str({ minLength: 1 }), value: str() }, { required: ['name', 'value'] })),
  },
  { required: ['port'] },
);
const TCPSocketAction = obj({ port: intOrStringPort(), host: str() }, { required: ['port'] });
const GRPCAction = obj({ port: port(), service: str() }, { required: ['port'] });
const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;

function checkHandler(h: Record<string, unknown>, path: Path, sink: Sink, kinds: readonly string[]): void {
  const set = kinds.filter((k) => h[k] !== undefined);
  if (set.length === 0) sink.error(path, 'Required value: must specify a handler type');
  if (set.length > 1) sink.error([...path, set[1]!], 'Forbidden: may not specify more than 1 handler type');
}

const Probe = obj({
  exec: ExecAction,
  httpGet: HTTPGetAction,
  tcpSocket: TCPSocketAction,
  grpc: GRPCAction,
  initialDelaySeconds: nonNeg(),
  timeoutSeconds: nonNeg(),
  periodSeconds: nonNeg(),
  successThreshold: nonNeg(),
  failureThreshold: nonNeg(),
  terminationGracePeriodSeconds: int64({ min: 1 }),
}).refine((p, path, sink) => checkHandler(p, path, sink, HANDLERS));

const LifecycleHandler = obj({
  exec: ExecAction,
  httpGet: HTTPGetAction,
  tcpSocket: TCPSocketAction,
  sleep: obj({ seconds: int64({ min: 0 }) }, { required: ['seconds'] }),
}).refine((h, path, sink) => checkHandler(h, path, sink, ['exec', 'httpGet', 'tcpSocket', 'sleep']));

const Resources = obj({
  limits: map(quantity()),
  requests: map(quantity()),
  claims: arr(obj({ name: str() })),
}).refine((r, path, sink) => {
  for (const [res, req] of Object.entries(r.requests ?? {})) {
    const lim = r.limits?.[res];
    if (lim !== undefined && quantityValue(req) > quantityValue(lim))
      sink.error(
        [...path, 'requests', res],
        invalid(req, `must be less than or equal to ${res} limit of ${lim}`),
      );
  }
});

const SecurityContext = obj({
  runAsUser: int64({ min: 0 }),
  runAsGroup: int64({ min: 0 }),
  runAsNonRoot: bool(),
  privileged: bool(),
  allowPrivilegeEscalation: bool(),
  readOnlyRootFilesystem: bool(),
  capabilities: obj({ add: arr(str()), drop: arr(str()) }),
  procMount: enumOf(['Default', 'Unmasked']),
  seccompProfile: obj(
    { type: enumOf(['RuntimeDefault', 'Unconfined', 'Localhost']), localhostProfile: str() },
    { required: ['type'] },
  ),
  seLinuxOptions: obj({ user: str(), role: str(), type: str(), level: str() }),
  appArmorProfile: obj({
    type: enumOf(['RuntimeDefault', 'Unconfined', 'Localhost']),
    localhostProfile: str(),
  }),
  windowsOptions: obj({
    gmsaCredentialSpecName: str(),
    gmsaCredentialSpec: str(),
    runAsUserName: str(),
    hostProcess: bool(),
  }),
});

const VolumeMount = obj(
  {
    name: str({ minLength: 1 }),
    mountPath: str({ minLength: 1 }),
    readOnly: bool(),
    subPath: str(),
    subPathExpr: str(),
    mountPropagation: enumOf(['None', 'HostToContainer', 'Bidirectional']),
    recursiveReadOnly: enumOf(['Disabled', 'IfPossible', 'Enabled']),
  },
  { required: ['name', 'mountPath'] },
);

export const Container = obj(
  {
    name: dnsLabel(),
    image: str(),
    command: arr(str()),
    args: arr(str()),
    workingDir: str(),
    env: arr(EnvVar),
    envFrom: arr(EnvFromSource),
    ports: arr(ContainerPort),
    readinessProbe: Probe,
    livenessProbe: Probe,
    startupProbe: Probe,
    lifecycle: obj({ postStart: LifecycleHandler, preStop: LifecycleHandler, stopSignal: str() }),
    resources: Resources,
    resizePolicy: arr(
      obj({ resourceName: str(), restartPolicy: enumOf(['NotRequired', 'RestartContainer']) }),
    ),
    restartPolicy: enumOf(['Always']),
    securityContext: SecurityContext,
    imagePullPolicy: enumOf(['Always', 'IfNotPresent', 'Never']),
    volumeMounts: arr(VolumeMount),
    volumeDevices: arr(obj({ name: str(), devicePath: str() }, { required: ['name', 'devicePath'] })),
    terminationMessagePath: str(),
    terminationMessagePolicy: enumOf(['File', 'FallbackToLogsOnError']),
    stdin: bool(),
    stdinOnce: bool(),
    tty: bool(),
  },
  { required: ['name'] },
).refine((c, path, sink) => {
  const names = new Set<string>();
  (c.ports ?? []).forEach((p, i) => {
    if (p.name === undefined) return;
    if (names.has(p.name))
      sink.error([...path, 'ports', i, 'name'], `Duplicate value: ${JSON.stringify(p.name)}`);
    names.add(p.name);
  });
  const envs = c.env ?? [];
  envs.forEach((e, i) => {
    if (envs.findIndex((x) => x.name === e.name) < i)
      sink.warn([...path, 'env', i, 'name'], `hides previous definition of ${JSON.stringify(e.name)}`);
  });
});
export type Container = Infer<typeof Container>;

// A volume has a name and one source; the ~30 source kinds are accepted as written.
const Volume = obj({ name: dnsLabel() }, { open: true, required: ['name'] }).refine((v, path, sink) => {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) sink.error(path, 'Required value: must specify a volume type');
  if (sources.length > 1)
    sink.error([...path, sources[1]!], 'Forbidden: may not specify more than 1 volume type');
});

export const PodSpec = obj(
  {
    containers: arr(Container, { minItems: 1 }),
    initContainers: arr(Container),
    volumes: arr(Volume),
    restartPolicy: enumOf(['Always', 'OnFailure', 'Never']),
    serviceAccountName: dnsLabel(),
    serviceAccount: dnsLabel(),
    automountServiceAccountToken: bool(),
    terminationGracePeriodSeconds: int64({ min: 0 }),
    activeDeadlineSeconds: int64({ min: 1 }),
    dnsPolicy: enumOf(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']),
    dnsConfig: obj({
      nameservers: arr(str()),
      searches: arr(str()),
      options: arr(obj({ name: str(), value: str() })),
    }),
    nodeSelector: labels(),
    nodeName: str(),
    hostNetwork: bool(),
    hostPID: bool(),
    hostIPC: bool(),
    shareProcessNamespace: bool(),
    hostname: dnsLabel(),
    subdomain: dnsLabel(),
    hostAliases: arr(obj({ ip: str(), hostnames: arr(str()) }, { required: ['ip'] })),
    securityContext: obj({
      runAsUser: int64({ min: 0 }),
      runAsGroup: int64({ min: 0 }),
      runAsNonRoot: bool(),
      fsGroup: int64({ min: 0 }),
      fsGroupChangePolicy: enumOf(['OnRootMismatch', 'Always']),
      supplementalGroups: arr(int64({ min: 0 })),
      sysctls: arr(obj({ name: str(), value: str() }, { required: ['name', 'value'] })),
      seccompProfile: SecurityContext.fields.seccompProfile,
      seLinuxOptions: SecurityContext.fields.seLinuxOptions,
      windowsOptions: SecurityContext.fields.windowsOptions,
      appArmorProfile: SecurityContext.fields.appArmorProfile,
    }),
    imagePullSecrets: arr(obj({ name: str() })),
    schedulerName: str(),
    priorityClassName: str(),
    priority: int(),
    runtimeClassName: str(),
    enableServiceLinks: bool(),
    preemptionPolicy: enumOf(['PreemptLowerPriority', 'Never']),
    // Scheduling constraints are accepted as written: Weft runs every pod on one machine.
    affinity: map(any()),
    tolerations: arr(map(any())),
    topologySpreadConstraints: arr(map(any())),
    readinessGates: arr(obj({ conditionType: str() }, { required: ['conditionType'] })),
    overhead: map(quantity()),
    os: obj({ name: enumOf(['linux', 'windows']) }, { required: ['name'] }),
    setHostnameAsFQDN: bool(),
    hostUsers: bool(),
  },
  { required: ['containers'] },
).refine((spec, path, sink) => {
  const names = new Map<string, true>();
  for (const field of ['containers', 'initContainers'] as const)
    (spec[field] ?? []).forEach((c, i) => {
      if (c.name === undefined) return;
      if (names.has(c.name))
        sink.error([...path, field, i, 'name'], `Duplicate value: ${JSON.stringify(c.name)}`);
      names.set(c.name, true);
    });
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const n = v.name as string;
    if (volumes.has(n)) sink.error([...path, 'volumes', i, 'name'], `Duplicate value: ${JSON.stringify(n)}`);
    volumes.add(n);
  });
  for (const field of ['containers', 'initContainers'] as const)
    (spec[field] ?? []).forEach((c, i) =>
      (c.volumeMounts ?? []).forEach((m, j) => {
        if (m.name !== undefined && !volumes.has(m.name))
          sink.error([...path, field, i, 'volumeMounts', j, 'name'], `Not found: ${JSON.stringify(m.name)}`);
      }),
    );
});
export type PodSpec = Infer<typeof PodSpec>;

/** core/v1 PodTemplateSpec as Deployments carry it. */
export const PodTemplateSpec = obj({
  metadata: obj({
    name: str(),
    namespace: str(),
    labels: labels(),
    annotations: map(str()),
    generateName: str(),
    creationTimestamp: any(),
  }),
  spec: PodSpec,
});
