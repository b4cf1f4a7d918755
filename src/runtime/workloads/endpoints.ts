// The runtime's Services and pods as the control plane's local registry sees them (what the
// Kubernetes API server and endpoints controller provide to Istio): a Service with the VIP the
// runtime allocated, and one endpoint per pod and port, HEALTHY only while the pod is Ready.
import { spiffeUri } from '../../ca/spiffe.js';
import { kubeHostname } from '../../registry/local.js';
import { labelsMatch, protocolFromPort, type Endpoint, type Service } from '../../registry/model.js';
import { resolvePort } from './inject.js';
import type { PodRunner } from './pod.js';

export interface KubeServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface KubeService {
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
  };
  spec?: { type?: string; clusterIP?: string; selector?: Record<string, string>; ports?: KubeServicePort[] };
}

export function isHeadless(s: KubeService): boolean {
  return s.spec?.clusterIP === 'None';
}

export function serviceModel(s: KubeService, vip: string | undefined, serviceAccounts: string[]): Service {
  const ns = s.metadata.namespace ?? 'default';
  const name = s.metadata.name ?? '';
  const exportTo = s.metadata.annotations?.['networking.istio.io/exportTo'];
  return {
    hostname: kubeHostname(name, ns),
    name,
    namespace: ns,
    addresses: vip ? [vip] : [],
    ports: (s.spec?.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: protocolFromPort(p.name, p.appProtocol, p.protocol),
      ...(typeof p.targetPort === 'number' ? { targetPort: p.targetPort } : {}),
    })),
    labels: s.metadata.labels ?? {},
    exportTo: exportTo ? exportTo.split(',').map((x) => x.trim()) : [],
    resolution: vip ? 'ClientSideLB' : 'Passthrough',
    meshExternal: false,
    serviceAccounts,
    registry: 'Kubernetes',
    creationTime: Date.parse(s.metadata.creationTimestamp ?? '') || Date.now(),
  };
}

/** Pods the Service selects that have an address (not yet Ready ones as UNHEALTHY, like notReadyAddresses). */
export function selectedPods(s: KubeService, pods: Iterable<PodRunner>): PodRunner[] {
  const ns = s.metadata.namespace ?? 'default';
  const selector = s.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return [...pods].filter((p) => p.namespace === ns && p.net && labelsMatch(selector, p.plan.labels));
}

export function serviceEndpoints(
  s: KubeService,
  pods: readonly PodRunner[],
  trustDomain: string,
): Endpoint[] {
  const out: Endpoint[] = [];
  for (const pod of pods) {
    const st = pod.status();
    for (const sp of s.spec?.ports ?? []) {
      const target = sp.targetPort ?? sp.port;
      const port =
        typeof target === 'number'
          ? target
          : pod.plan.containers.map((c) => resolvePort(c, target)).find((p) => p !== undefined);
      if (port === undefined) continue;
      out.push({
        address: pod.net!.ip,
        port,
        servicePortName: sp.name ?? '',
        labels: pod.plan.labels,
        serviceAccount: spiffeUri({
          trustDomain,
          namespace: pod.namespace,
          serviceAccount: pod.plan.serviceAccount,
        }),
        health: st.ready ? 'HEALTHY' : 'UNHEALTHY',
        workload: pod.name,
      });
    }
  }
  return out;
}
