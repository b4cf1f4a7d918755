// VirtualService (networking.istio.io): hosts, gateways, HTTP/TLS/TCP routes and exportTo.
import { arr, int, obj, str, uint32, type Infer } from '../schema/dsl.js';
import { labels } from '../common.js';
import { HTTPRoute } from './http-route.js';
import { Destination, exportTo } from './messages.js';

export const RouteDestination = obj(
  { destination: Destination, weight: int() },
  { required: ['destination'] },
);
export type RouteDestination = Infer<typeof RouteDestination>;

export const TLSMatchAttributes = obj(
  {
    sniHosts: arr(str()),
    destinationSubnets: arr(str()),
    port: uint32(),
    sourceLabels: labels(),
    gateways: arr(str()),
    sourceNamespace: str(),
  },
  { required: ['sniHosts'] },
);
export type TLSMatchAttributes = Infer<typeof TLSMatchAttributes>;

export const L4MatchAttributes = obj({
  destinationSubnets: arr(str()),
  port: uint32(),
  sourceSubnet: str(),
  sourceLabels: labels(),
  gateways: arr(str()),
  sourceNamespace: str(),
});
export type L4MatchAttributes = Infer<typeof L4MatchAttributes>;

export const TLSRoute = obj(
  { match: arr(TLSMatchAttributes), route: arr(RouteDestination) },
  { required: ['match'] },
);
export type TLSRoute = Infer<typeof TLSRoute>;

export const TCPRoute = obj({ match: arr(L4MatchAttributes), route: arr(RouteDestination) });
export type TCPRoute = Infer<typeof TCPRoute>;

export const VirtualService = obj({
  hosts: arr(str()),
  gateways: arr(str()),
  http: arr(HTTPRoute),
  tls: arr(TLSRoute),
  tcp: arr(TCPRoute),
  exportTo: exportTo(),
});
export type VirtualService = Infer<typeof VirtualService>;
