// Virtual host domains for a service (Istio generateVirtualHostDomains): the FQDN, `name.ns.svc`,
// `name.ns`, the short name from the same namespace, and the VIPs. Sidecars set
// ignore_port_in_host_matching instead of listing `:port` variants (Istio since 1.16), so any port
// in the Host reaches the virtual host; proxyless gRPC clients dial `name:port` and get both.
import type { Service } from '../../../registry/model.js';
import { kubernetesParts } from '../../../registry/host.js';

export function serviceDomains(
  service: Service,
  port: number | undefined,
  proxyNamespace: string,
  domainSuffix: string,
): string[] {
  const names = [service.hostname];
  const k8s = kubernetesParts(service.hostname, domainSuffix);
  if (k8s) {
    names.push(`${k8s.name}.${k8s.namespace}.svc`, `${k8s.name}.${k8s.namespace}`);
    // A short name means the caller's namespace, so only callers there may use it.
    if (k8s.namespace === proxyNamespace) names.push(k8s.name);
  }
  names.push(...service.addresses);
  return port === undefined ? names : names.flatMap((n) => [n, `${n}:${port}`]);
}
