// The generators' Generator.scopeKey: everything of a proxy that CDS, EDS, LDS and RDS read, so
// proxies that agree on it (replicas without service instances, clients in one namespace) share
// one generation per push (the service account matters to Istio 1.1 RBAC). The proxy's IPs and pod name matter only through its service instances
// and a Sidecar's ingress listeners; keep this list in step with what the generators read.
import type { ProxyInfo } from '../contracts.js';
import type { PushContext } from '../push-context.js';

export function proxyScope(proxy: ProxyInfo, push: PushContext): string {
  const instances = push
    .instancesFor(proxy)
    .map((i) => `${i.service.hostname}|${i.port.port}|${i.endpoint.address}:${i.endpoint.port}`)
    .sort();
  const ingress = push.sidecarFor(proxy)?.spec.ingress ? `${proxy.workloadName ?? ''}|${proxy.podName}` : '';
  const labels = Object.entries(proxy.labels).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([
    proxy.type,
    proxy.namespace,
    proxy.dnsDomain,
    proxy.locality ?? '',
    proxy.serviceAccount ?? '',
    proxy.proxyless,
    labels,
    instances,
    ingress,
  ]);
}
