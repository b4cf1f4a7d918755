// Server vs client TLS per service port (istioctl 1.1 `authn tls-check`): the server's inbound mTLS
// mode against the client TLS mode of the DestinationRule that applies to the host. As istioctl
// counts only ISTIO_MUTUAL as mesh mTLS, a server that requires it (STRICT) while clients use
// DISABLE, SIMPLE or MUTUAL, or a plaintext-only server (DISABLE) that clients call with
// ISTIO_MUTUAL, is a CONFLICT.
import { bySpecificity, hostMatches, resolveHost } from '../../registry/host.js';
import { resolveMtls, type MtlsConfig, type MtlsMode } from './resolve.js';

export interface TlsCheckService {
  hostname: string;
  /** Short (Kubernetes) name and namespace. */
  name: string;
  namespace: string;
  ports: readonly { port: number; name?: string; targetPort?: number }[];
  /** The pods behind the service (Kubernetes spec.selector), for workload-level policies. */
  selector: Readonly<Record<string, string>>;
}

type ClientTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

export interface DestinationRuleTls {
  name: string;
  namespace: string;
  spec: {
    host?: string;
    trafficPolicy?: {
      tls?: { mode?: ClientTlsMode } | null;
      portLevelSettings?:
        readonly { port?: { number?: number } | null; tls?: { mode?: ClientTlsMode } | null }[] | null;
    } | null;
  };
}

export interface TlsCheckInput extends MtlsConfig {
  services: readonly TlsCheckService[];
  destinationRules?: readonly DestinationRuleTls[];
  /** MeshConfig enableAutoMtls (default true): without a DR TLS setting clients follow the server. */
  autoMtls?: boolean;
  domainSuffix?: string;
}

export interface TlsCheckRow {
  host: string;
  port: number;
  status: 'OK' | 'CONFLICT';
  serverMode: MtlsMode;
  /** The DestinationRule's mode, AUTO (auto mTLS) or DISABLE when nothing sets one. */
  clientMode: ClientTlsMode | 'AUTO';
  /** `name/namespace` of the deciding authentication policy, or '-'. */
  authnPolicy: string;
  /** `name/namespace` of the DestinationRule, or '-'. */
  destinationRule: string;
  message?: string;
}

export type MtlsConflict = Pick<TlsCheckRow, 'host' | 'port' | 'serverMode' | 'clientMode'> & {
  message: string;
};

/** The DestinationRule for a host: an exact host first, then the most specific wildcard. */
function destinationRuleFor(
  host: string,
  rules: readonly DestinationRuleTls[],
  domainSuffix: string | undefined,
): DestinationRuleTls | undefined {
  const matching = rules
    .map((r) => ({ r, host: resolveHost(r.spec.host ?? '', r.namespace, domainSuffix) }))
    .filter((x) => hostMatches(x.host, host));
  return matching.sort((a, b) => bySpecificity(a.host, b.host))[0]?.r;
}

function clientMode(
  dr: DestinationRuleTls | undefined,
  port: number,
  autoMtls: boolean,
): TlsCheckRow['clientMode'] {
  const policy = dr?.spec.trafficPolicy;
  const portLevel = policy?.portLevelSettings?.find((s) => s.port?.number === port)?.tls?.mode;
  return portLevel ?? policy?.tls?.mode ?? (autoMtls ? 'AUTO' : 'DISABLE');
}

/** Why a server mode and a client TLS mode do not work together, or undefined when they do. */
export function tlsConflict(server: MtlsMode, client: TlsCheckRow['clientMode']): string | undefined {
  if (server === 'STRICT' && (client === 'DISABLE' || client === 'SIMPLE' || client === 'MUTUAL'))
    return `the server requires mutual TLS (STRICT) but clients use tls.mode ${client}`;
  if (server === 'DISABLE' && client === 'ISTIO_MUTUAL')
    return 'clients use ISTIO_MUTUAL but the server does not accept mutual TLS (DISABLE)';
  return undefined;
}

/** One row per service port, sorted by host and port. */
export function tlsCheck(input: TlsCheckInput): TlsCheckRow[] {
  const rows: TlsCheckRow[] = [];
  for (const s of input.services)
    for (const p of s.ports) {
      const server = resolveMtls(
        input,
        { namespace: s.namespace, labels: s.selector },
        {
          port: p.targetPort ?? p.port,
          service: { name: s.name, namespace: s.namespace, port: p.port, portName: p.name },
        },
      );
      const dr = destinationRuleFor(s.hostname, input.destinationRules ?? [], input.domainSuffix);
      const client = clientMode(dr, p.port, input.autoMtls ?? true);
      const message = tlsConflict(server.mode, client);
      rows.push({
        host: s.hostname,
        port: p.port,
        status: message ? 'CONFLICT' : 'OK',
        serverMode: server.mode,
        clientMode: client,
        authnPolicy: server.policy,
        destinationRule: dr ? `${dr.name}/${dr.namespace}` : '-',
        ...(message && { message }),
      });
    }
  return rows.sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
}

/** The conflicting service ports (for the analyzer and `weft authn tls-check`). */
export function findMtlsConflicts(input: TlsCheckInput): MtlsConflict[] {
  return tlsCheck(input).flatMap((r) =>
    r.message
      ? [
          {
            host: r.host,
            port: r.port,
            serverMode: r.serverMode,
            clientMode: r.clientMode,
            message: r.message,
          },
        ]
      : [],
  );
}
