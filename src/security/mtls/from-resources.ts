// The tls-check input from plain Kubernetes/Istio objects (files, the config API, the analyzer):
// Services (ExternalName ones are outside the mesh), DestinationRules, PeerAuthentications and the
// Istio 1.1 Policy/MeshPolicy. Objects without a namespace are in `defaultNamespace`.
import type { AuthnPolicy, PeerAuthentication } from '../../api/security/index.js';
import { splitApiVersion, type Resource } from '../../api/resource.js';
import type { DestinationRuleTls, TlsCheckInput, TlsCheckService } from './conflicts.js';
import type { MtlsConfig } from './resolve.js';

interface ServiceSpec {
  type?: string;
  selector?: Record<string, string>;
  ports?: { port: number; name?: string; targetPort?: number | string }[];
}

export interface FromResourcesOptions {
  defaultNamespace?: string;
  domainSuffix?: string;
  rootNamespace?: string;
  autoMtls?: boolean;
}

type Kind = 'Service' | 'DestinationRule' | 'PeerAuthentication' | 'Policy' | 'MeshPolicy';
const GROUPS: Record<Kind, string> = {
  Service: '',
  DestinationRule: 'networking.istio.io',
  PeerAuthentication: 'security.istio.io',
  Policy: 'authentication.istio.io',
  MeshPolicy: 'authentication.istio.io',
};

function service(r: Resource, namespace: string, domainSuffix: string): TlsCheckService | undefined {
  const spec = (r.spec ?? {}) as ServiceSpec;
  if (spec.type === 'ExternalName') return undefined;
  const name = r.metadata.name ?? '';
  return {
    hostname: `${name}.${namespace}.svc.${domainSuffix}`,
    name,
    namespace,
    // A named targetPort resolves per pod; the service port stands in for it.
    ports: (spec.ports ?? []).map((p) => ({
      port: p.port,
      ...(p.name && { name: p.name }),
      ...(typeof p.targetPort === 'number' && { targetPort: p.targetPort }),
    })),
    selector: spec.selector ?? {},
  };
}

type Of = (kind: Kind) => { r: Resource; name: string; namespace: string }[];

function lister(resources: readonly Resource[], defaultNamespace: string | undefined): Of {
  return (kind) =>
    resources
      .filter((r) => r.kind === kind && splitApiVersion(r.apiVersion ?? '').group === GROUPS[kind])
      .map((r) => ({
        r,
        name: r.metadata.name ?? '',
        namespace: r.metadata.namespace || (defaultNamespace ?? 'default'),
      }));
}

function mtlsConfig(of: Of, rootNamespace: string | undefined): MtlsConfig {
  return {
    peerAuthentications: of('PeerAuthentication').map(({ r, name, namespace }) => ({
      name,
      namespace,
      creationTime: Date.parse(r.metadata.creationTimestamp ?? '') || 0,
      spec: (r.spec ?? {}) as PeerAuthentication,
    })),
    authnPolicies: [
      ...of('Policy').map(({ r, name, namespace }) => ({
        kind: 'Policy' as const,
        name,
        namespace,
        spec: (r.spec ?? {}) as AuthnPolicy,
      })),
      ...of('MeshPolicy').map(({ r, name }) => ({
        kind: 'MeshPolicy' as const,
        name,
        spec: (r.spec ?? {}) as AuthnPolicy,
      })),
    ],
    ...(rootNamespace && { rootNamespace }),
  };
}

/** PeerAuthentications and 1.1 Policy/MeshPolicy, for resolveMtls. */
export function mtlsConfigFromResources(
  resources: readonly Resource[],
  o: Pick<FromResourcesOptions, 'defaultNamespace' | 'rootNamespace'> = {},
): MtlsConfig {
  return mtlsConfig(lister(resources, o.defaultNamespace), o.rootNamespace);
}

export function tlsCheckInputFromResources(
  resources: readonly Resource[],
  o: FromResourcesOptions = {},
): TlsCheckInput {
  const domainSuffix = o.domainSuffix ?? 'cluster.local';
  const of = lister(resources, o.defaultNamespace);
  return {
    ...mtlsConfig(of, o.rootNamespace),
    services: of('Service').flatMap(({ r, namespace }) => service(r, namespace, domainSuffix) ?? []),
    destinationRules: of('DestinationRule').map(({ r, name, namespace }) => ({
      name,
      namespace,
      spec: (r.spec ?? {}) as DestinationRuleTls['spec'],
    })),
    domainSuffix,
    ...(o.autoMtls !== undefined && { autoMtls: o.autoMtls }),
  };
}
