// Sidecar (networking.istio.io): scopes a workload's proxy — inbound listeners, the egress hosts it
// can reach, and its outbound traffic policy — with Istio's rules for ports, binds and hosts.
import { arr, enumOf, map, obj, str, uint32, type Infer, type Path, type Sink } from '../schema/dsl.js';
import { checkNamespacedHost } from './hosts.js';
import { Destination } from './messages.js';
import {
  checkAlphaSelectorLabels,
  checkPortName,
  checkPortNumber,
  checkProtocol,
  isHttpProtocol,
  isTlsProtocol,
  UNIX_PREFIX,
  unixAddressError,
} from './rules.js';
import { fqdnError, ipError } from '../common.js';
import { ServerTLSSettings } from './tls.js';
import { ConnectionPoolSettings } from './traffic-policy.js';

export const CAPTURE_MODES = ['DEFAULT', 'IPTABLES', 'NONE'] as const;

export const SidecarPort = obj({
  number: uint32(),
  protocol: str(),
  name: str(),
  targetPort: uint32(),
}).refine((p, path, sink) => {
  if (p.name) checkPortName(p.name, [...path, 'name'], sink);
  checkProtocol(p.protocol, [...path, 'protocol'], sink);
  if (p.targetPort) sink.error([...path, 'targetPort'], 'targetPort has no impact on Sidecars');
});
export type SidecarPort = Infer<typeof SidecarPort>;

function checkBindIp(bind: string | undefined, path: Path, sink: Sink): void {
  const e = bind ? ipError(bind) : undefined;
  if (e) sink.error([...path, 'bind'], e);
}

/** defaultEndpoint: 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>. */
function checkDefaultEndpoint(ep: string, path: Path, sink: Sink): void {
  if (ep.startsWith(UNIX_PREFIX)) {
    const e = unixAddressError(ep.slice(UNIX_PREFIX.length));
    if (e) sink.error(path, e);
    return;
  }
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(ep);
  if (!m) {
    sink.error(path, `address ${ep}: missing port in address`);
    return;
  }
  const host = m[1] ?? m[2] ?? '';
  if (host !== '' && !['127.0.0.1', '0.0.0.0', '::1', '::'].includes(host))
    sink.error(
      path,
      'sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset',
    );
  if (!/^\d+$/.test(m[3]!)) sink.error(path, `sidecar: defaultEndpoint port (${m[3]}) is not a number`);
  else checkPortNumber(Number(m[3]), path, sink);
}

export const IstioIngressListener = obj(
  {
    port: SidecarPort,
    bind: str(),
    captureMode: enumOf(CAPTURE_MODES),
    defaultEndpoint: str(),
    tls: ServerTLSSettings,
    connectionPool: ConnectionPoolSettings,
  },
  { required: ['port'] },
).refine((l, path, sink) => {
  const port = l.port ?? {};
  checkPortNumber(port.number ?? 0, [...path, 'port', 'number'], sink);
  checkBindIp(l.bind, path, sink);
  if (l.defaultEndpoint) checkDefaultEndpoint(l.defaultEndpoint, [...path, 'defaultEndpoint'], sink);
  const t = l.tls;
  if (t) {
    const p = [...path, 'tls'];
    if (t.subjectAltNames?.length) sink.error(p, 'sidecar: subjectAltNames is not supported in ingress tls');
    if (t.httpsRedirect) sink.error(p, 'sidecar: httpsRedirect is not supported');
    if (t.credentialName) sink.error(p, 'sidecar: credentialName is not currently supported');
    if (t.credentialNames?.length) sink.error(p, 'sidecar: credentialNames is not currently supported');
    if (t.tlsCertificates?.length) sink.error(p, 'sidecar: tls_certificates is not currently supported');
    if (t.mode === 'ISTIO_MUTUAL' || t.mode === 'AUTO_PASSTHROUGH')
      sink.error(
        [...p, 'mode'],
        `configuration is invalid: cannot set mode to ${t.mode} in sidecar ingress tls`,
      );
    if (!isTlsProtocol(port.protocol))
      sink.error(p, 'server cannot have TLS settings for non HTTPS/TLS ports');
  }
  if (l.connectionPool?.http && !isHttpProtocol(port.protocol))
    sink.warn(
      [...path, 'connectionPool', 'http'],
      `sidecar: HTTP connection pool settings are configured for port ${port.number} ("${port.name ?? ''}") but its protocol is not HTTP (${port.protocol ?? ''}); only TCP settings will apply`,
    );
});
export type IstioIngressListener = Infer<typeof IstioIngressListener>;

export const IstioEgressListener = obj(
  { port: SidecarPort, bind: str(), captureMode: enumOf(CAPTURE_MODES), hosts: arr(str()) },
  { required: ['hosts'] },
).refine((l, path, sink) => {
  if (l.port) {
    if (!l.port.number) {
      // Port 0 means a Unix domain socket listener, named by bind.
      const bind = l.bind ?? '';
      if (!bind.startsWith(UNIX_PREFIX))
        sink.error(
          [...path, 'bind'],
          'sidecar: ports with 0 value must have a unix domain socket bind address',
        );
      else {
        const e = unixAddressError(bind.slice(UNIX_PREFIX.length));
        if (e) sink.error([...path, 'bind'], e);
      }
      if (l.captureMode && l.captureMode !== 'DEFAULT' && l.captureMode !== 'NONE')
        sink.error(
          [...path, 'captureMode'],
          'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners',
        );
    } else {
      checkPortNumber(l.port.number, [...path, 'port', 'number'], sink);
      checkBindIp(l.bind, path, sink);
    }
  }
  const hosts = l.hosts ?? [];
  if (hosts.length === 0)
    sink.error([...path, 'hosts'], 'sidecar: egress listener must contain at least one host');
  hosts.forEach((h, i) => checkNamespacedHost(h, false, [...path, 'hosts', i], sink));
});
export type IstioEgressListener = Infer<typeof IstioEgressListener>;

export const OutboundTrafficPolicy = obj({
  mode: enumOf(['REGISTRY_ONLY', 'ALLOW_ANY']),
  egressProxy: Destination,
}).refine((t, path, sink) => {
  const proxy = t.egressProxy;
  if (!proxy) return;
  if (t.mode !== 'ALLOW_ANY') {
    sink.error(
      [...path, 'egressProxy'],
      'sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode',
    );
    return;
  }
  const e = fqdnError(proxy.host ?? '');
  if (e) sink.error([...path, 'egressProxy', 'host'], e);
  if (!proxy.port) sink.error([...path, 'egressProxy', 'port'], 'sidecar: egress_proxy port must be non-nil');
});
export type OutboundTrafficPolicy = Infer<typeof OutboundTrafficPolicy>;

export const Sidecar = obj({
  workloadSelector: obj({ labels: map(str({})) }),
  ingress: arr(IstioIngressListener),
  egress: arr(IstioEgressListener),
  inboundConnectionPool: ConnectionPoolSettings,
  outboundTrafficPolicy: OutboundTrafficPolicy,
}).refine((s, path, sink) => {
  checkAlphaSelectorLabels(s.workloadSelector?.labels, [...path, 'workloadSelector', 'labels'], sink);
  if (!s.egress?.length && !s.ingress?.length && !s.outboundTrafficPolicy && !s.inboundConnectionPool)
    sink.error(path, 'sidecar: empty configuration provided');
  const ingressPorts = new Set<number>();
  (s.ingress ?? []).forEach((l, i) => {
    const n = l.port?.number ?? 0;
    if (ingressPorts.has(n))
      sink.error([...path, 'ingress', i, 'port'], 'sidecar: ports on IP bound listeners must be unique');
    ingressPorts.add(n);
  });
  checkEgressListeners(s.egress ?? [], path, sink);
});
export type Sidecar = Infer<typeof Sidecar>;

/** One catch-all (portless) egress listener, last; unique ports and Unix sockets; no duplicate hosts. */
function checkEgressListeners(egress: readonly IstioEgressListener[], path: Path, sink: Sink): void {
  const ports = new Set<number>();
  const sockets = new Set<string>();
  let catchAll = false;
  egress.forEach((l, i) => {
    const p = [...path, 'egress', i];
    if (!l.port) {
      if (catchAll) sink.error(p, 'sidecar: egress can have only one listener with empty port');
      else if (i === egress.length - 1) catchAll = true;
      else
        sink.error(p, 'sidecar: the egress listener with empty port should be the last listener in the list');
    } else if (!l.port.number) {
      if (sockets.has(l.bind ?? ''))
        sink.error([...p, 'bind'], 'sidecar: unix domain socket values for listeners must be unique');
      sockets.add(l.bind ?? '');
    } else {
      if (ports.has(l.port.number))
        sink.error([...p, 'port'], 'sidecar: ports on IP bound listeners must be unique');
      ports.add(l.port.number);
    }
    checkDuplicateEgressHosts(l.hosts ?? [], p, sink);
  });
}

function checkDuplicateEgressHosts(hosts: readonly string[], path: Path, sink: Sink): void {
  const byNs = new Map<string, Set<string>>();
  hosts.forEach((h, i) => {
    const slash = h.indexOf('/');
    if (slash < 0 || h.startsWith('~')) return;
    const ns = h.slice(0, slash);
    const svc = h.slice(slash + 1);
    const seen = byNs.get(ns) ?? new Set<string>();
    const dup = svc === '*' ? seen.size > 0 : seen.has(svc) || seen.has('*');
    if (dup) sink.warn([...path, 'hosts', i], `duplicated egress host: ${h}`);
    seen.add(svc);
    byNs.set(ns, seen);
  });
  if (byNs.get('*')?.has('*') && byNs.size !== 1)
    sink.warn([...path, 'hosts'], '`*/*` host select all resources, no other hosts can be added');
}
