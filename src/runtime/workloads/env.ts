// A container's environment as the kubelet builds it: the image's env, then the container's
// `env` (values and the downward API's fieldRef), plus HOSTNAME and the pod identity variables.
import type { Container } from '../../api/kube/pod.js';

export interface PodFacts {
  name: string;
  namespace: string;
  ip: string;
  serviceAccount: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function fieldRef(path: string, pod: PodFacts): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.labels : pod.annotations)[m[2]!];
  const fields: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': pod.namespace,
    'status.podIP': pod.ip,
    'status.podIPs': pod.ip,
    'spec.serviceAccountName': pod.serviceAccount,
    'spec.nodeName': 'weft',
    'status.hostIP': pod.ip,
  };
  return fields[path];
}

/** Throws naming the variable when it cannot be resolved (configMap/secret refs are not supported). */
export function containerEnv(
  c: Container,
  imageEnv: Record<string, string>,
  pod: PodFacts,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: '/root',
    HOSTNAME: pod.name,
    POD_NAME: pod.name,
    POD_NAMESPACE: pod.namespace,
    POD_IP: pod.ip,
    SERVICE_ACCOUNT: pod.serviceAccount,
    ...imageEnv,
  };
  for (const e of c.env ?? []) {
    if (!e.name) continue;
    if (e.value !== undefined || !e.valueFrom)
      env[e.name] = (e.value ?? '').replace(/\$\(([^)]+)\)/g, (m, v: string) => env[v] ?? m);
    else if (e.valueFrom.fieldRef) {
      const v = fieldRef(e.valueFrom.fieldRef.fieldPath ?? '', pod);
      if (v === undefined)
        throw new Error(`env ${e.name}: fieldRef ${e.valueFrom.fieldRef.fieldPath} is not supported`);
      env[e.name] = v;
    } else throw new Error(`env ${e.name}: only value and valueFrom.fieldRef are supported on one machine`);
  }
  return env;
}
