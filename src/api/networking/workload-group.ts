// WorkloadGroup (networking.istio.io): a template for VM workloads that register themselves, with
// the readiness probe their agent runs (httpGet, tcpSocket, exec or grpc).
import { arr, enumOf, int, map, obj, str, uint32, type Infer } from '../schema/dsl.js';
import { checkLabelMap, checkPortNumber } from './rules.js';
import { WorkloadEntryTemplate } from './workload-entry.js';

const port = () => uint32().refine((p, path, sink) => checkPortNumber(p, path, sink));

const HTTPHealthCheckConfig = obj(
  {
    path: str(),
    port: port(),
    host: str(),
    scheme: enumOf(['', 'HTTP', 'HTTPS']),
    // Kubernetes probe header names: letters, digits and "-" or "_".
    httpHeaders: arr(
      obj({ name: str({ pattern: /^[-_A-Za-z0-9]+$/, patternHint: '^[-_A-Za-z0-9]+$' }), value: str() }),
    ),
  },
  { required: ['port'] },
);

const nonNegative = () => int({ min: 0 });

export const ReadinessProbe = obj(
  {
    initialDelaySeconds: nonNegative(),
    timeoutSeconds: nonNegative(),
    periodSeconds: nonNegative(),
    successThreshold: nonNegative(),
    failureThreshold: nonNegative(),
    httpGet: HTTPHealthCheckConfig,
    tcpSocket: obj({ host: str(), port: port() }, { required: ['port'] }),
    exec: obj({ command: arr(str(), { minItems: 1 }) }, { required: ['command'] }),
    grpc: obj({ port: port(), service: str() }),
  },
  { oneOf: [['httpGet', 'tcpSocket', 'exec', 'grpc']] },
);
export type ReadinessProbe = Infer<typeof ReadinessProbe>;

export const WorkloadGroup = obj(
  {
    metadata: obj({ labels: map(str()), annotations: map(str()) }).refine((m, path, sink) =>
      checkLabelMap(m.labels, [...path, 'labels'], sink),
    ),
    template: WorkloadEntryTemplate,
    probe: ReadinessProbe,
  },
  { required: ['template'] },
);
export type WorkloadGroup = Infer<typeof WorkloadGroup>;
