// The mTLS analyzer (Istio 1.4–1.5, IST0113): a DestinationRule whose TLS mode disagrees with the
// authentication policy of its host — DISABLE toward a STRICT server, or ISTIO_MUTUAL toward one
// with mTLS DISABLEd. Policies: PeerAuthentication (mesh, namespace, workload) and the 1.1
// MeshPolicy/Policy (peers: mtls, mode STRICT by default); the most specific one wins.
import { resolveHost, selects, type AnalysisContext, type Analyzer, type Item } from './context.js';
import { NETWORKING } from './destinations.js';
import { MTLSPolicyConflict } from './messages.js';

const ROOT_NAMESPACE = 'istio-system';
const SECURITY = 'security.istio.io';
const AUTHN = 'authentication.istio.io';

type Mode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

interface Effective {
  mode: Mode;
  policy: Item;
  /** Higher wins: workload/target 3, namespace 2, mesh 1. */
  rank: number;
}

/** Istio 1.1 Policy/MeshPolicy: peers with mtls (STRICT unless PERMISSIVE); no mtls peer = off. */
function legacyMode(policy: Item): Mode {
  const peers = ((policy.res.spec ?? {}) as { peers?: { mtls?: { mode?: string } | null }[] }).peers ?? [];
  const mtls = peers.find((p) => p.mtls !== undefined);
  if (!mtls) return 'DISABLE';
  return mtls.mtls?.mode === 'PERMISSIVE' ? 'PERMISSIVE' : 'STRICT';
}

function peerAuthMode(pa: Item): Mode | undefined {
  const mode = ((pa.res.spec ?? {}) as { mtls?: { mode?: string } }).mtls?.mode;
  return mode === 'STRICT' || mode === 'PERMISSIVE' || mode === 'DISABLE' ? mode : undefined;
}

function effectivePolicy(
  ctx: AnalysisContext,
  svcName: string,
  svcNs: string,
  podLabels: readonly Record<string, string>[],
): Effective | undefined {
  const found: Effective[] = [];
  for (const pa of ctx.of(SECURITY, 'PeerAuthentication')) {
    const mode = peerAuthMode(pa);
    if (!mode) continue; // UNSET inherits
    const sel = ((pa.res.spec ?? {}) as { selector?: { matchLabels?: Record<string, string> } }).selector
      ?.matchLabels;
    if (sel && Object.keys(sel).length > 0) {
      if (pa.ns === svcNs && podLabels.some((l) => selects(sel, l)))
        found.push({ mode, policy: pa, rank: 3 });
    } else if (pa.ns === svcNs) found.push({ mode, policy: pa, rank: 2 });
    else if (pa.ns === ROOT_NAMESPACE) found.push({ mode, policy: pa, rank: 1 });
  }
  for (const p of ctx.of(AUTHN, 'Policy')) {
    if (p.ns !== svcNs) continue;
    const targets = ((p.res.spec ?? {}) as { targets?: { name?: string }[] }).targets ?? [];
    if (targets.length === 0) found.push({ mode: legacyMode(p), policy: p, rank: 2 });
    else if (targets.some((t) => t.name === svcName)) found.push({ mode: legacyMode(p), policy: p, rank: 3 });
  }
  for (const mp of ctx.of(AUTHN, 'MeshPolicy')) found.push({ mode: legacyMode(mp), policy: mp, rank: 1 });
  return found.sort((a, b) => b.rank - a.rank)[0];
}

export const mtlsConflict: Analyzer = {
  name: 'auth.MTLSAnalyzer',
  analyze(ctx: AnalysisContext) {
    const services = ctx.serviceHosts();
    const workloads = ctx.workloads();
    for (const dr of ctx.of(NETWORKING, 'DestinationRule')) {
      const spec = (dr.res.spec ?? {}) as { host?: string; trafficPolicy?: { tls?: { mode?: string } } };
      const tlsMode = spec.trafficPolicy?.tls?.mode;
      if (tlsMode !== 'DISABLE' && tlsMode !== 'ISTIO_MUTUAL') continue;
      const host = resolveHost(spec.host ?? '', dr.ns);
      // the host's Service, else the namespace its FQDN names (svc.ns.svc.cluster.local)
      const svc = services.get(host);
      const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
      if (!svc && !m) continue;
      const [svcName, svcNs] = svc ? [svc.name, svc.ns] : [m![1]!, m![2]!];
      const selector = ((svc?.res.spec ?? {}) as { selector?: Record<string, string> }).selector;
      const pods = selector
        ? workloads.filter((w) => w.namespace === svcNs && selects(selector, w.labels)).map((w) => w.labels)
        : [];
      const eff = effectivePolicy(ctx, svcName, svcNs, pods);
      if (!eff) continue;
      const drMtls = tlsMode === 'ISTIO_MUTUAL';
      if ((drMtls && eff.mode === 'DISABLE') || (!drMtls && eff.mode === 'STRICT'))
        ctx.report(
          dr,
          MTLSPolicyConflict,
          [
            host,
            `${dr.ns}/${dr.name}`,
            drMtls,
            `${eff.policy.ns ? `${eff.policy.ns}/` : ''}${eff.policy.name}`,
            eff.mode.toLowerCase(),
          ],
          ['spec', 'trafficPolicy', 'tls', 'mode'],
        );
    }
  },
};
