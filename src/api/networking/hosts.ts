// Host names as Istio's networking kinds validate them (agent.ValidateWildcardDomain, ValidateFQDN,
// ValidateNamespaceSlashWildcardHostname), gateway references and exportTo visibility.
import type { Path, Sink } from '../schema/dsl.js';
import { fqdnError, ipError, isDnsLabel, wildcardDomainError } from '../common.js';

/** "*" or a "*." prefix are the only wildcards allowed where Istio forbids partial ones. */
export function partialWildcardError(host: string): string | undefined {
  return host.includes('*') && host !== '*' && !host.startsWith('*.')
    ? `partial wildcard "${host}" not allowed`
    : undefined;
}

/** Does wildcard-aware host a cover host b (host.Name.Matches, either direction)? */
export function hostsOverlap(a: string, b: string): boolean {
  const covers = (w: string, h: string): boolean =>
    w === h || w === '*' || (w.startsWith('*') && h.endsWith(w.slice(1)));
  return covers(a, b) || covers(b, a);
}

/** Is host a subset of (covered by) wildcard host w (host.Name.SubsetOf)? */
export function hostSubsetOf(h: string, w: string): boolean {
  if (w === h || w === '*') return true;
  if (!w.startsWith('*')) return false;
  const suffix = w.slice(1);
  return h.startsWith('*') ? h.slice(1).endsWith(suffix) : h.endsWith(suffix);
}

function checkHostPart(hostname: string, isGateway: boolean, path: Path, sink: Sink): void {
  if (hostname !== '*' && !hostname.includes('.')) sink.error(path, 'short names (non FQDN) are not allowed');
  const e = wildcardDomainError(hostname);
  // Gateways also accept an IP address as the host.
  if (e && !(isGateway && !ipError(hostname))) sink.error(path, e);
  const p = partialWildcardError(hostname);
  if (p) sink.error(path, p);
}

/** Gateway server hosts and Sidecar egress hosts: "namespace/dnsName" ("*", "." or a name; "~" excludes). */
export function checkNamespacedHost(hostname: string, isGateway: boolean, path: Path, sink: Sink): void {
  const slash = hostname.indexOf('/');
  if (slash < 0) {
    if (isGateway) checkHostPart(hostname, true, path, sink);
    else sink.error(path, 'host must be of form namespace/dnsName');
    return;
  }
  const ns = hostname.slice(0, slash);
  const dnsName = hostname.slice(slash + 1);
  if (ns === '' || dnsName === '')
    sink.error(path, 'config namespace and dnsName in host entry cannot be empty');
  if (!isGateway) {
    const n = ns.startsWith('~') ? ns.slice(1) : ns;
    if (n !== '' && n !== '*' && n !== '.' && !isDnsLabel(n))
      sink.error(path, `invalid namespace value "${ns}" in sidecar`);
  } else if (ns !== '*' && ns !== '.' && !isDnsLabel(ns)) {
    sink.error(path, `invalid namespace value "${ns}" in gateway`);
  }
  checkHostPart(dnsName, isGateway, path, sink);
}

/** Gateway references in VirtualServices: "mesh", "<namespace>/<name>" or a legacy "<name>.<namespace>". */
export function checkGatewayName(name: string, path: Path, sink: Sink): void {
  const slash = name.indexOf('/');
  if (slash < 0) {
    if (name.includes('.')) {
      const [gw, ns] = name.split('.');
      sink.warn(
        path,
        `using legacy gatewayName format "${name}"; prefer the <namespace>/<name> format: "${ns}/${gw}"`,
      );
    }
    const e = fqdnError(name);
    if (e) sink.error(path, e);
    return;
  }
  const ns = name.slice(0, slash);
  const gw = name.slice(slash + 1);
  if (ns === '' || gw === '') sink.error(path, 'config namespace and gateway name cannot be empty');
  if (!isDnsLabel(ns)) sink.error(path, `invalid value for namespace: "${ns}"`);
  if (!isDnsLabel(gw)) sink.error(path, `invalid value for gateway name: "${gw}"`);
}

/**
 * exportTo (validateExportTo): "." (this namespace), "*" (all), "~" (nobody, ServiceEntry only) or
 * namespace names, without duplicates and without mixing "*" or "~" with anything else.
 */
export function checkExportTo(
  namespace: string | undefined,
  exportTo: readonly string[] | undefined,
  opts: { serviceEntry?: boolean; drWithSelector?: boolean },
  path: Path,
  sink: Sink,
): void {
  if (!exportTo || exportTo.length === 0) return;
  const seen = new Set<string>();
  exportTo.forEach((e, i) => {
    const key = e === '.' && namespace ? namespace : e;
    if (seen.has(key)) {
      sink.error(
        [...path, i],
        key !== e
          ? `duplicate entries in exportTo: . and current namespace ${namespace}`
          : `duplicate entries in exportTo for entry ${e}`,
      );
      return;
    }
    if ((e === '~' && opts.serviceEntry) || key === '.' || key === '*' || isDnsLabel(key)) seen.add(key);
    else if (e === '~')
      sink.error([...path, i], 'exportTo ~ (none) is not allowed for Istio configuration objects');
    else sink.error([...path, i], 'only .,*, or a valid DNS 1123 label is allowed as exportTo entry');
  });
  if (opts.drWithSelector && seen.size > 0) {
    const own = namespace ?? '.';
    if (!seen.has(own) && !seen.has('.'))
      sink.error(
        path,
        'destination rule with workload selector cannot have exportTo beyond current namespace',
      );
    else if (seen.size > 1)
      sink.error(path, 'destination rule with workload selector cannot have multiple entries in exportTo');
  }
  if (seen.has('*') && exportTo.length > 1)
    sink.error(path, 'cannot have both public (*) and non-public exportTo values for a resource');
  if (seen.has('~') && exportTo.length > 1)
    sink.error(path, 'cannot export service entry to no one (~) and someone');
}
