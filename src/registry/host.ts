// Istio host names: short names resolved against a namespace (pilot/pkg/model ResolveShortnameToFQDN)
// and wildcard matching (`*`, `*.example.com`) as VirtualService, DestinationRule and Sidecar use it.

export const DEFAULT_DOMAIN_SUFFIX = 'cluster.local';

/** `reviews` in namespace `default` → `reviews.default.svc.cluster.local`; names with dots stay. */
export function resolveHost(host: string, namespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): string {
  if (host === '*' || host.includes('.')) return host;
  return `${host}.${namespace}.svc.${domainSuffix}`;
}

/** Whether a (possibly wildcard) pattern matches a concrete or wildcard host. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*' || pattern === host) return true;
  if (pattern.startsWith('*')) {
    const suffix = pattern.slice(1);
    if (host.startsWith('*')) return host.slice(1).endsWith(suffix);
    return host.endsWith(suffix);
  }
  return false;
}

/** Whether two host patterns have any host in common (either wildcard covers the other). */
export function hostsIntersect(a: string, b: string): boolean {
  return hostMatches(a, b) || hostMatches(b, a);
}

/** The most specific pattern first: exact beats wildcard, longer wildcard beats shorter. */
export function bySpecificity(a: string, b: string): number {
  const wa = a.startsWith('*');
  const wb = b.startsWith('*');
  if (wa !== wb) return wa ? 1 : -1;
  return b.length - a.length;
}

/** The most specific pattern in `patterns` matching `host`, if any. */
export function mostSpecificMatch(host: string, patterns: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const p of patterns)
    if (hostMatches(p, host) && (best === undefined || bySpecificity(p, best) < 0)) best = p;
  return best;
}

/** `name.ns.svc.<suffix>` split into name and namespace, or undefined for other hosts. */
export function kubernetesParts(
  host: string,
  domainSuffix = DEFAULT_DOMAIN_SUFFIX,
): { name: string; namespace: string } | undefined {
  const tail = `.svc.${domainSuffix}`;
  if (!host.endsWith(tail)) return undefined;
  const parts = host.slice(0, -tail.length).split('.');
  if (parts.length !== 2) return undefined;
  return { name: parts[0]!, namespace: parts[1]! };
}
