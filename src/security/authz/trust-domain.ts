// Trust domain aliases for authorization (Istio pilot/pkg/security/trustdomain): a principal
// `<td>/ns/<ns>/sa/<sa>` written for any trust domain of the mesh matches every one of them.

const CLUSTER_LOCAL = 'cluster.local';

/** The mesh trust domain first, then its aliases. */
export type TrustDomainBundle = readonly string[];

const prefixMatch = (a: string, pattern: string) =>
  pattern.endsWith('*') && a.startsWith(pattern.slice(0, -1));
const suffixMatch = (a: string, pattern: string) => pattern.startsWith('*') && a.endsWith(pattern.slice(1));

function inBundle(td: string, bundle: TrustDomainBundle): boolean {
  return bundle.some(
    (s) =>
      td === s ||
      s === '*' ||
      prefixMatch(td, s) ||
      prefixMatch(s, td) ||
      suffixMatch(td, s) ||
      suffixMatch(s, td),
  );
}

/** Each principal, plus its copies for the other trust domains when its own is one of the mesh's. */
export function replaceTrustDomainAliases(
  principals: readonly string[],
  bundle: TrustDomainBundle,
): string[] {
  const out: string[] = [];
  for (const principal of principals) {
    const parts = principal.split('/');
    // Only full SPIFFE paths with a concrete (possibly wildcarded) trust domain are rewritten.
    if (parts.length !== 5 || parts[0] === '*') {
      out.push(principal);
      continue;
    }
    const td = parts[0]!;
    if (!inBundle(td, bundle) && td !== CLUSTER_LOCAL) {
      out.push(principal);
      continue;
    }
    const copies: string[] = [];
    for (const alias of bundle) {
      const p = suffixMatch(alias, td) ? principal : [alias, ...parts.slice(1)].join('/');
      if (!copies.includes(p)) copies.push(p);
    }
    out.push(...copies);
  }
  return out;
}

/** Trust domain values: one of the mesh's stands for all of them. */
export function expandTrustDomainAliases(values: readonly string[], bundle: TrustDomainBundle): string[] {
  const out = values.flatMap((v) => (bundle.includes(v) ? [...bundle] : [v]));
  return [...new Set(out)];
}
