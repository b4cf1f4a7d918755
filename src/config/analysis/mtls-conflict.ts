// The mTLS analyzer (Istio 1.4–1.5, IST0113): a DestinationRule whose TLS mode does not work with
// the server mTLS mode of its host — anything but ISTIO_MUTUAL toward a STRICT server, or
// ISTIO_MUTUAL toward one with mTLS DISABLEd. The server mode and the policy that decides it come
// from src/security (PeerAuthentication, else the 1.1 Policy/MeshPolicy), per pod and port.
import {
  mtlsConfigFromResources,
  resolveMtls,
  tlsConflict,
  type MtlsDecision,
} from '../../security/index.js';
import { resolveHost, selects, type AnalysisContext, type Analyzer, type Workload } from './context.js';
import { NETWORKING } from './destinations.js';
import { MTLSPolicyConflict } from './messages.js';

type ClientMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: { port: number; name?: string; targetPort?: number | string }[];
}

const policyName = (d: MtlsDecision) =>
  d.source ? `${d.source.namespace ? `${d.source.namespace}/` : ''}${d.source.name}` : '-';

export const mtlsConflict: Analyzer = {
  name: 'auth.MTLSAnalyzer',
  analyze(ctx: AnalysisContext) {
    const services = ctx.serviceHosts();
    const workloads = ctx.workloads();
    const config = mtlsConfigFromResources(
      ['PeerAuthentication', 'Policy', 'MeshPolicy'].flatMap((kind) =>
        ctx
          .of(kind === 'PeerAuthentication' ? 'security.istio.io' : 'authentication.istio.io', kind)
          .map((i) => i.res),
      ),
    );
    for (const dr of ctx.of(NETWORKING, 'DestinationRule')) {
      const spec = (dr.res.spec ?? {}) as { host?: string; trafficPolicy?: { tls?: { mode?: ClientMode } } };
      const tlsMode = spec.trafficPolicy?.tls?.mode;
      if (!tlsMode) continue;
      const host = resolveHost(spec.host ?? '', dr.ns);
      // the host's Service, else the namespace its FQDN names (svc.ns.svc.cluster.local)
      const svc = services.get(host);
      const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
      if (!svc && !m) continue;
      const [name, namespace] = svc ? [svc.name, svc.ns] : [m![1]!, m![2]!];
      const svcSpec = (svc?.res.spec ?? {}) as ServiceSpec;
      const selector = svcSpec.selector;
      const pods: Workload[] = selector
        ? workloads.filter((w) => w.namespace === namespace && selects(selector, w.labels))
        : [];
      const labels = pods.length ? pods.map((p) => p.labels) : [selector ?? {}];
      const ports = svcSpec.ports?.length ? svcSpec.ports : [{ port: 0 }];
      const conflicting = labels
        .flatMap((l) =>
          ports.map((p) =>
            resolveMtls(
              config,
              { namespace, labels: l },
              {
                port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
                service: { name, namespace, port: p.port, ...(p.name && { portName: p.name }) },
              },
            ),
          ),
        )
        .find((d) => tlsConflict(d.mode, tlsMode));
      if (conflicting)
        ctx.report(
          dr,
          MTLSPolicyConflict,
          [
            host,
            `${dr.ns}/${dr.name}`,
            tlsMode === 'ISTIO_MUTUAL',
            policyName(conflicting),
            conflicting.mode.toLowerCase(),
          ],
          ['spec', 'trafficPolicy', 'tls', 'mode'],
        );
    }
  },
};
