// Who is at an address, for the attributes Mixer's kubernetesenv adapter derived from pods: the
// connected proxies (their node metadata: pod, namespace, labels, service account, workload) and,
// for pods without a proxy, the registry's endpoints; plus the services a workload port serves.
import type { ProxyInfo } from '../xds/contracts.js';
import type { PushContext } from '../xds/push-context.js';
import type { Service } from '../registry/model.js';

export interface Workload {
  /** Pod name. */
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** Service account name (not the SPIFFE id). */
  serviceAccount?: string;
  /** Deployment (or other owner) name. */
  workloadName?: string;
}

export interface WorkloadDirectory {
  workloadAt(ip: string): Workload | undefined;
  /** Services with an endpoint at ip:port (the workload port a request arrived on). */
  servicesAt(ip: string, port: number): Service[];
}

const saName = (spiffe: string | undefined): string | undefined => spiffe?.split('/sa/')[1];

export function meshWorkloads(
  proxies: () => Iterable<ProxyInfo>,
  push: () => PushContext,
): WorkloadDirectory {
  return {
    workloadAt(ip) {
      for (const p of proxies())
        if (p.ipAddresses.includes(ip))
          return {
            name: p.podName,
            namespace: p.namespace,
            labels: p.labels,
            ...(p.serviceAccount ? { serviceAccount: p.serviceAccount } : {}),
            ...(p.workloadName ? { workloadName: p.workloadName } : {}),
          };
      const inst = push().instancesFor({ ipAddresses: [ip] })[0];
      if (!inst) return undefined;
      const sa = saName(inst.endpoint.serviceAccount);
      return {
        name: inst.endpoint.workload ?? '',
        namespace: inst.service.namespace,
        labels: inst.endpoint.labels,
        ...(sa ? { serviceAccount: sa } : {}),
      };
    },
    servicesAt(ip, port) {
      const out = push()
        .instancesFor({ ipAddresses: [ip] })
        .filter((i) => i.endpoint.port === port)
        .map((i) => i.service);
      return [...new Set(out)];
    },
  };
}
