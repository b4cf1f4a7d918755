import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResources } from '../../config/loader.js';
import { validateLoaded } from '../validate.js';

function diags(yaml: string): string[] {
  const { resources, diagnostics } = parseResources(yaml, 'k.yaml');
  assert.deepEqual(diagnostics, []);
  return resources
    .flatMap(validateLoaded)
    .map((d) => `${d.severity === 'warning' ? 'warning: ' : ''}${d.path}: ${d.message}`);
}

const deploy = (spec: string, apiVersion = 'apps/v1'): string =>
  `apiVersion: ${apiVersion}\nkind: Deployment\nmetadata:\n  name: forecast-v1\n  namespace: weather\nspec:\n${spec}`;
const podTemplate = (containers: string, extra = ''): string =>
  `  selector:\n    matchLabels: {app: forecast, version: v1}\n  template:\n    metadata:\n      labels: {app: forecast, version: v1}\n    spec:\n${extra}      containers:\n${containers}`;
const svc = (spec: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: forecast\nspec:\n${spec}`;

const WEATHER = `apiVersion: v1
kind: Namespace
metadata:
  name: weather
  labels: {istio-injection: enabled}
---
apiVersion: v1
kind: Service
metadata:
  name: forecast
  namespace: weather
  labels: {app: forecast, service: forecast}
spec:
  selector: {app: forecast}
  ports:
  - name: http
    port: 3002
    targetPort: 3002
---
${deploy(`  replicas: 2
${podTemplate(
  `      - name: forecast
        image: istioweather/forecast:v1
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 3002
          name: http
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: MODE
          value: fast
        readinessProbe:
          httpGet: {path: /health, port: http}
          initialDelaySeconds: 1
          periodSeconds: 2
        livenessProbe:
          tcpSocket: {port: 3002}
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: "1", memory: 128Mi}
        volumeMounts:
        - {name: data, mountPath: /data}
`,
  '      serviceAccountName: forecast\n      volumes:\n      - name: data\n        emptyDir: {}\n',
)}`)}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: forecast, namespace: weather}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: weather}
type: kubernetes.io/tls
data:
  tls.crt: aGVsbG8=
stringData:
  tls.key: plain
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {app.properties: "a=b"}
---
apiVersion: v1
kind: Endpoints
metadata: {name: ext}
subsets:
- addresses: [{ip: 10.0.0.5}]
  ports: [{port: 80, name: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: sleep}
spec:
  restartPolicy: Never
  initContainers: [{name: init, image: busybox, command: [sh, -c, "true"]}]
  containers:
  - name: sleep
    image: curlimages/curl
    command: [/bin/sleep, "3650d"]
    startupProbe: {exec: {command: [cat, /tmp/ok]}, failureThreshold: 30}
    securityContext: {runAsUser: 1000, capabilities: {drop: [ALL]}}
`;

test('the weather sample kinds are valid', () => assert.deepEqual(diags(WEATHER), []));

test('older Deployment apiVersions default the selector to the template labels', () => {
  const t = `  template:\n    metadata:\n      labels: {app: a}\n    spec:\n      containers: [{name: a, image: a}]\n`;
  assert.deepEqual(diags(deploy(t, 'extensions/v1beta1')), []);
  assert.deepEqual(diags(deploy(t, 'apps/v1beta1')), []);
  assert.deepEqual(diags(deploy(t)), ['spec.selector: Required value']);
});

const c1 = '      - name: app\n        image: x\n';
const INVALID: [string, string, string | RegExp][] = [
  [
    'selector must match template labels',
    deploy(
      `  selector:\n    matchLabels: {app: forecast, version: v2}\n  template:\n    metadata:\n      labels: {app: forecast, version: v1}\n    spec:\n      containers:\n${c1}`,
    ),
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"forecast", "version":"v1"}: `selector` does not match template `labels`',
  ],
  [
    'matchExpressions are honoured',
    deploy(
      `  selector:\n    matchExpressions: [{key: app, operator: In, values: [other]}]\n  template:\n    metadata:\n      labels: {app: forecast}\n    spec:\n      containers:\n${c1}`,
    ),
    /`selector` does not match template `labels`/,
  ],
  [
    'In needs values',
    deploy(
      `  selector:\n    matchExpressions: [{key: app, operator: In}]\n  template:\n    metadata:\n      labels: {app: forecast}\n    spec:\n      containers:\n${c1}`,
    ),
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ],
  [
    'deployment restartPolicy must be Always',
    deploy(podTemplate(c1, '      restartPolicy: Never\n')),
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ],
  [
    'negative replicas',
    deploy(`  replicas: -1\n${podTemplate(c1)}`),
    /^spec.replicas: must be greater than or equal to 0/,
  ],
  [
    'unknown deployment field',
    deploy(`  replica: 2\n${podTemplate(c1)}`),
    'spec.replica: unknown field "replica" (did you mean "replicas"?)',
  ],
  [
    'containers required',
    deploy(podTemplate('        []\n').replace('containers:\n        []', 'containers: []')),
    'spec.template.spec.containers: should have at least 1 item',
  ],
  [
    'duplicate container names',
    deploy(podTemplate(`${c1}${c1}`)),
    'spec.template.spec.containers[1].name: Duplicate value: "app"',
  ],
  [
    'container name is a DNS label',
    deploy(podTemplate('      - name: App\n        image: x\n')),
    /^spec.template.spec.containers\[0\].name: Invalid value: "App": a lowercase RFC 1123 label/,
  ],
  [
    'container name required',
    deploy(podTemplate('      - image: x\n')),
    'spec.template.spec.containers[0].name: Required value',
  ],
  [
    'container field typo',
    deploy(podTemplate('      - name: app\n        imgae: x\n')),
    'spec.template.spec.containers[0].imgae: unknown field "imgae" (did you mean "image"?)',
  ],
  [
    'containerPort range',
    deploy(podTemplate('      - name: app\n        ports: [{containerPort: 70000}]\n')),
    'spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ],
  [
    'duplicate port names',
    deploy(
      podTemplate(
        '      - name: app\n        ports: [{containerPort: 1, name: http}, {containerPort: 2, name: http}]\n',
      ),
    ),
    'spec.template.spec.containers[0].ports[1].name: Duplicate value: "http"',
  ],
  [
    'port name too long',
    deploy(
      podTemplate('      - name: app\n        ports: [{containerPort: 1, name: http-very-long-name}]\n'),
    ),
    'spec.template.spec.containers[0].ports[0].name: Invalid value: "http-very-long-name": must be no more than 15 characters',
  ],
  [
    'probe without handler',
    deploy(podTemplate('      - name: app\n        readinessProbe: {periodSeconds: 1}\n')),
    'spec.template.spec.containers[0].readinessProbe: Required value: must specify a handler type',
  ],
  [
    'probe with two handlers',
    deploy(
      podTemplate('      - name: app\n        livenessProbe: {tcpSocket: {port: 1}, httpGet: {port: 1}}\n'),
    ),
    /livenessProbe.(tcpSocket|httpGet): Forbidden: may not specify more than 1 handler type/,
  ],
  [
    'probe port name',
    deploy(podTemplate('      - name: app\n        readinessProbe: {httpGet: {port: HTTP}}\n')),
    /^spec.template.spec.containers\[0\].readinessProbe.httpGet.port: Invalid value: "HTTP"/,
  ],
  [
    'env value and valueFrom',
    deploy(
      podTemplate(
        '      - name: app\n        env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]\n',
      ),
    ),
    'spec.template.spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
  ],
  [
    'env name',
    deploy(podTemplate('      - name: app\n        env: [{name: "1 A", value: x}]\n')),
    /^spec.template.spec.containers\[0\].env\[0\].name: Invalid value: "1 A"/,
  ],
  [
    'bad quantity',
    deploy(podTemplate('      - name: app\n        resources: {limits: {memory: 1GB}}\n')),
    /^spec.template.spec.containers\[0\].resources.limits.memory: Invalid value: "1GB": quantities must match/,
  ],
  [
    'request above limit',
    deploy(
      podTemplate('      - name: app\n        resources: {limits: {cpu: 500m}, requests: {cpu: "1"}}\n'),
    ),
    'spec.template.spec.containers[0].resources.requests.cpu: Invalid value: "1": must be less than or equal to cpu limit of 500m',
  ],
  [
    'mount of a missing volume',
    deploy(podTemplate('      - name: app\n        volumeMounts: [{name: data, mountPath: /d}]\n')),
    'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"',
  ],
  [
    'volume with two sources',
    deploy(podTemplate(c1, '      volumes: [{name: v, emptyDir: {}, hostPath: {path: /x}}]\n')),
    'spec.template.spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
  ],
  ['service port required', svc('  selector: {app: forecast}\n'), 'spec.ports: Required value'],
  [
    'service port names required when several',
    svc('  ports: [{port: 80, name: http}, {port: 81}]\n'),
    'spec.ports[1].name: Required value',
  ],
  [
    'service duplicate port name',
    svc('  ports: [{port: 80, name: http}, {port: 81, name: http}]\n'),
    'spec.ports[1].name: Duplicate value: "http"',
  ],
  [
    'service duplicate port',
    svc('  ports: [{port: 80, name: a}, {port: 80, name: b}]\n'),
    'spec.ports[1]: Duplicate value: core.ServicePort{Port:80, Protocol:"TCP"}',
  ],
  [
    'service nodePort on ClusterIP',
    svc('  ports: [{port: 80, nodePort: 30080}]\n'),
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ],
  [
    'service nodePort range',
    svc('  type: NodePort\n  ports: [{port: 80, nodePort: 80}]\n'),
    'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  ],
  [
    'service type enum',
    svc('  type: Headless\n  ports: [{port: 80}]\n'),
    /^spec.type: Unsupported value: "Headless"/,
  ],
  ['ExternalName needs externalName', svc('  type: ExternalName\n'), 'spec.externalName: Required value'],
  [
    'service clusterIP',
    svc('  clusterIP: 10.96.0.300\n  ports: [{port: 80}]\n'),
    /^spec.clusterIP: Invalid value: "10.96.0.300"/,
  ],
  [
    'service targetPort name',
    svc('  ports: [{port: 80, targetPort: http_port}]\n'),
    /^spec.ports\[0\].targetPort: Invalid value: "http_port"/,
  ],
  [
    'service protocol',
    svc('  ports: [{port: 80, protocol: HTTP}]\n'),
    /^spec.ports\[0\].protocol: Unsupported value: "HTTP"/,
  ],
  [
    'endpoints address IP',
    'apiVersion: v1\nkind: Endpoints\nmetadata: {name: e}\nsubsets:\n- addresses: [{ip: host.local}]\n',
    'subsets[0].addresses[0].ip: Invalid value: "host.local": must be a valid IP address',
  ],
  [
    'secret data must be base64',
    'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: "not base64!"}\n',
    'data.password: Invalid value: "<value omitted>": illegal base64 data: use stringData for plain text',
  ],
  [
    'tls secret needs its keys',
    'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\ndata: {tls.crt: aGVsbG8=}\n',
    'data["tls.key"]: Required value',
  ],
  [
    'configmap key',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {"a b": x}\n',
    /^data\["a b"\]: Invalid value: "a b": a valid config key/,
  ],
  [
    'pod restartPolicy',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: Sometimes\n  containers: [{name: a}]\n',
    /^spec.restartPolicy: Unsupported value: "Sometimes"/,
  ],
  [
    'pod top-level typo',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspce: {}\n',
    'spce: unknown field "spce" (did you mean "spec"?)',
  ],
  [
    'serviceAccount typo',
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: p}\nautomountServiceAccountTokens: false\n',
    /^automountServiceAccountTokens: unknown field.*did you mean "automountServiceAccountToken"/,
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
