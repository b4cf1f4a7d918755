// VirtualService (networking.istio.io): hosts, gateways, HTTP/TLS/TCP routes and exportTo, with
// Istio's rules for delegates, hosts per binding (mesh vs gateway), SNI hosts and weights.
import { arr, int, map, obj, str, uint32, type Infer, type Path, type Sink } from '../schema/dsl.js';
import { isJwtClaimHeader } from './headers.js';
import { checkGatewayName, hostsOverlap, hostSubsetOf } from './hosts.js';
import { checkHTTPRouteKind, checkTotalWeight, checkWeight, HTTPRoute } from './http-route.js';
import { Destination, exportTo } from './messages.js';
import { checkLabelMap, checkPortNumber } from './rules.js';
import { cidrError, ipError, wildcardDomainError } from '../common.js';

export const RouteDestination = obj(
  { destination: Destination, weight: int() },
  { required: ['destination'] },
).refine((d, path, sink) => checkWeight(d.weight, [...path, 'weight'], sink));
export type RouteDestination = Infer<typeof RouteDestination>;

/** Fields TLS and TCP (L4) matches share. */
function checkL4Match(
  m: {
    destinationSubnets?: string[];
    port?: number;
    sourceLabels?: Record<string, string>;
    gateways?: string[];
  },
  path: Path,
  sink: Sink,
): void {
  (m.destinationSubnets ?? []).forEach((s, i) => {
    const e = cidrError(s);
    if (e) sink.error([...path, 'destinationSubnets', i], e);
  });
  if (m.port) checkPortNumber(m.port, [...path, 'port'], sink);
  checkLabelMap(m.sourceLabels, [...path, 'sourceLabels'], sink);
  (m.gateways ?? []).forEach((g, i) => checkGatewayName(g, [...path, 'gateways', i], sink));
}

export const TLSMatchAttributes = obj(
  {
    sniHosts: arr(str()),
    destinationSubnets: arr(str()),
    port: uint32(),
    sourceLabels: map(str()),
    gateways: arr(str()),
    sourceNamespace: str(),
  },
  { required: ['sniHosts'] },
).refine((m, path, sink) => {
  if ((m.sniHosts ?? []).length === 0)
    sink.error([...path, 'sniHosts'], 'TLS match must have at least one SNI host');
  checkL4Match(m, path, sink);
});
export type TLSMatchAttributes = Infer<typeof TLSMatchAttributes>;

export const L4MatchAttributes = obj({
  destinationSubnets: arr(str()),
  port: uint32(),
  sourceSubnet: str(),
  sourceLabels: map(str()),
  gateways: arr(str()),
  sourceNamespace: str(),
}).refine(checkL4Match);
export type L4MatchAttributes = Infer<typeof L4MatchAttributes>;

export const TLSRoute = obj(
  { match: arr(TLSMatchAttributes), route: arr(RouteDestination) },
  { required: ['match'] },
).refine((r, path, sink) => {
  if ((r.match ?? []).length === 0)
    sink.error([...path, 'match'], 'TLS route must have at least one match condition');
  if ((r.route ?? []).length === 0) sink.error([...path, 'route'], 'TLS route is required');
  checkTotalWeight(r.route, [...path, 'route'], sink);
});
export type TLSRoute = Infer<typeof TLSRoute>;

export const TCPRoute = obj({ match: arr(L4MatchAttributes), route: arr(RouteDestination) }).refine(
  (r, path, sink) => {
    if ((r.route ?? []).length === 0) sink.error([...path, 'route'], 'TCP route is required');
    checkTotalWeight(r.route, [...path, 'route'], sink);
  },
);
export type TCPRoute = Infer<typeof TCPRoute>;

/** Bound to gateways only (not the mesh) when it names gateways and "mesh" is not among them. */
const boundToGateway = (gateways: readonly string[]): boolean =>
  gateways.length > 0 && !gateways.includes('mesh');

/**
 * Hosts bound to a gateway may also be AUTO_PASSTHROUGH SNI names "outbound_.<port>_._.<host>"
 * (ValidateWildcardDomainForVirtualServiceBoundToGateway).
 */
function gatewayHostError(host: string, sni: boolean): string | undefined {
  if (sni && host.startsWith('outbound_')) {
    const parts = host.split('_');
    if (parts.length < 4)
      return `domain name ${host} invalid, should follow 'outbound_.<port>_._.<hostname>' format`;
    const port = parts[1]!.replace(/^\.+|\.+$/g, '');
    const name = parts[3]!.replace(/^\.+|\.+$/g, '');
    if (!/[0-9]/.test(port))
      return `domain name "${host}" invalid (label "${port}" invalid). should follow 'outbound_.<port>_._.<hostname>' format`;
    if (!/[a-zA-Z]/.test(name))
      return `domain name "${host}" invalid (label "${name}" invalid). should follow 'outbound_.<port>_._.<hostname>' format`;
    return undefined;
  }
  return wildcardDomainError(host);
}

export const VirtualService = obj({
  hosts: arr(str()),
  gateways: arr(str()),
  http: arr(HTTPRoute),
  tls: arr(TLSRoute),
  tcp: arr(TCPRoute),
  exportTo: exportTo(),
}).refine((vs, path, sink) => {
  const hosts = vs.hosts ?? [];
  const gateways = vs.gateways ?? [];
  const isDelegate = hosts.length === 0;
  if (isDelegate) {
    if (gateways.length)
      sink.error([...path, 'gateways'], 'delegate virtual service must have no gateways specified');
    if (vs.tls?.length)
      sink.error([...path, 'tls'], 'delegate virtual service must have no tls route specified');
    if (vs.tcp?.length)
      sink.error([...path, 'tcp'], 'delegate virtual service must have no tcp route specified');
  }
  gateways.forEach((g, i) => checkGatewayName(g, [...path, 'gateways', i], sink));
  const toGateway = boundToGateway(gateways);
  const toMesh = !toGateway;
  const sni = (vs.tls?.length ?? 0) > 0;

  if (!toGateway) {
    // JWT claims only exist after a gateway's RequestAuthentication ran.
    (vs.http ?? []).forEach((r, ri) =>
      (r.match ?? []).forEach((m, mi) => {
        for (const field of ['headers', 'withoutHeaders'] as const)
          for (const key of Object.keys(m[field] ?? {}))
            if (isJwtClaimHeader(key))
              sink.error(
                [...path, 'http', ri, 'match', mi, field, key],
                `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: [${gateways.join(' ')}]`,
              );
      }),
    );
  }

  let allHostsValid = true;
  hosts.forEach((h, i) => {
    const e = toGateway ? gatewayHostError(h, sni) : wildcardDomainError(h);
    if (e) {
      // An IP address is accepted as a host (it names a service by its VIP).
      if (ipError(h)) {
        sink.error([...path, 'hosts', i], e);
        allHostsValid = false;
      }
    } else if (toMesh && h === '*') {
      sink.error(
        [...path, 'hosts', i],
        'wildcard host * is not allowed for virtual services bound to the mesh gateway',
      );
      allHostsValid = false;
    }
  });
  if (allHostsValid)
    for (let i = 0; i < hosts.length; i++)
      for (let j = i + 1; j < hosts.length; j++)
        if (hostsOverlap(hosts[i]!, hosts[j]!))
          sink.error([...path, 'hosts', j], `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`);

  if (!vs.http?.length && !vs.tcp?.length && !vs.tls?.length)
    sink.error(path, 'http, tcp or tls must be provided in virtual service');
  (vs.http ?? []).forEach((r, i) => checkHTTPRouteKind(r, isDelegate, [...path, 'http', i], sink));
  (vs.tls ?? []).forEach((r, ri) =>
    (r.match ?? []).forEach((m, mi) =>
      (m.sniHosts ?? []).forEach((sniHost, si) =>
        checkSniHost(sniHost, hosts, toGateway, [...path, 'tls', ri, 'match', mi, 'sniHosts', si], sink),
      ),
    ),
  );
});
export type VirtualService = Infer<typeof VirtualService>;

/** An SNI host must be valid and covered by one of the VirtualService's hosts. */
function checkSniHost(
  sniHost: string,
  hosts: readonly string[],
  toGateway: boolean,
  path: Path,
  sink: Sink,
): void {
  const e = toGateway ? gatewayHostError(sniHost, true) : wildcardDomainError(sniHost);
  if (e) {
    if (!ipError(sniHost))
      sink.warn(
        path,
        `using an IP address ("${sniHost}") goes against SNI spec and most clients do not support this`,
      );
    else sink.error(path, e);
    return;
  }
  if (!hosts.some((h) => hostSubsetOf(sniHost, h)))
    sink.error(
      path,
      `SNI host "${sniHost}" is not a compatible subset of any of the virtual service hosts: [${hosts.join(', ')}]`,
    );
}
