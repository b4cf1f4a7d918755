// The fields of Istio networking specs (networking.istio.io v1alpha3/v1beta1) that the registries
// and xDS generators read. Specs arrive validated by src/api: leaf messages are src/api's own types;
// the containers below restate only the fields validation guarantees (required hosts, ports, names),
// which src/api's inferred types leave optional.
import type { ClientTLSSettings, ServerTLSSettings } from '../api/networking/tls.js';
import type { StringMatch, Percent, Headers, PortSelector } from '../api/networking/messages.js';
import type {
  HTTPRedirect,
  HTTPRewrite,
  HTTPRetry,
  HTTPFaultInjection,
  CorsPolicy,
} from '../api/networking/http-route.js';
import type {
  LoadBalancerSettings,
  ConnectionPoolSettings,
  OutlierDetection,
} from '../api/networking/traffic-policy.js';

export type {
  StringMatch,
  Percent,
  Headers,
  PortSelector,
  HTTPRedirect,
  HTTPRewrite,
  HTTPRetry,
  HTTPFaultInjection,
  CorsPolicy,
  ClientTLSSettings,
  ServerTLSSettings,
  LoadBalancerSettings,
  ConnectionPoolSettings,
  OutlierDetection,
};
export type { HeaderOperations } from '../api/networking/messages.js';
export type { LocalityLoadBalancerSetting as LocalityLbSetting } from '../api/networking/traffic-policy.js';

export interface Destination {
  host: string;
  subset?: string;
  port?: PortSelector;
}

export interface HTTPMatchRequest {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  gateways?: string[];
  sourceNamespace?: string;
  ignoreUriCase?: boolean;
}

export interface HTTPRouteDestination {
  destination: Destination;
  weight?: number;
  headers?: Headers;
}

export interface HTTPMirrorPolicy {
  destination: Destination;
  percentage?: Percent;
}

export interface HTTPRoute {
  name?: string;
  match?: HTTPMatchRequest[];
  route?: HTTPRouteDestination[];
  redirect?: HTTPRedirect;
  directResponse?: { status: number; body?: { string?: string; bytes?: string } };
  delegate?: { name: string; namespace?: string };
  rewrite?: HTTPRewrite;
  timeout?: string;
  retries?: HTTPRetry;
  fault?: HTTPFaultInjection;
  mirror?: Destination;
  mirrors?: HTTPMirrorPolicy[];
  mirrorPercentage?: Percent;
  mirrorPercent?: number;
  corsPolicy?: CorsPolicy;
  headers?: Headers;
  /** Istio 1.1 spellings, still accepted. */
  appendHeaders?: Record<string, string>;
  removeResponseHeaders?: string[];
}

export interface L4MatchAttributes {
  destinationSubnets?: string[];
  port?: number;
  sourceLabels?: Record<string, string>;
  gateways?: string[];
  sourceNamespace?: string;
}

export interface TLSMatchAttributes extends L4MatchAttributes {
  sniHosts: string[];
}

export interface RouteDestination {
  destination: Destination;
  weight?: number;
}

export interface TCPRoute {
  match?: L4MatchAttributes[];
  route?: RouteDestination[];
}

export interface TLSRoute {
  match: TLSMatchAttributes[];
  route?: RouteDestination[];
}

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HTTPRoute[];
  tls?: TLSRoute[];
  tcp?: TCPRoute[];
  exportTo?: string[];
}

export interface TrafficPolicyCore {
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTLSSettings;
}

export interface TrafficPolicy extends TrafficPolicyCore {
  portLevelSettings?: (TrafficPolicyCore & { port?: PortSelector })[];
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRuleSpec {
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets?: Subset[];
  exportTo?: string[];
  workloadSelector?: { matchLabels?: Record<string, string> };
}

export interface GatewayServer {
  port: { number: number; protocol: string; name?: string; targetPort?: number };
  hosts: string[];
  tls?: ServerTLSSettings;
  name?: string;
  bind?: string;
}

export interface GatewaySpec {
  servers?: GatewayServer[];
  selector?: Record<string, string>;
}

export interface WorkloadEntrySpec {
  address?: string;
  ports?: Record<string, number>;
  labels?: Record<string, string>;
  network?: string;
  locality?: string;
  weight?: number;
  serviceAccount?: string;
}

export interface ServiceEntrySpec {
  hosts: string[];
  addresses?: string[];
  ports?: { number: number; protocol?: string; name?: string; targetPort?: number }[];
  location?: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  resolution?: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';
  endpoints?: WorkloadEntrySpec[];
  workloadSelector?: { labels?: Record<string, string> };
  exportTo?: string[];
  subjectAltNames?: string[];
}

export interface IstioEgressListener {
  port?: { number: number; protocol?: string; name?: string };
  bind?: string;
  captureMode?: string;
  hosts: string[];
}

export interface IstioIngressListener {
  port: { number: number; protocol?: string; name?: string };
  bind?: string;
  captureMode?: string;
  defaultEndpoint?: string;
}

export interface SidecarSpec {
  workloadSelector?: { labels?: Record<string, string> };
  ingress?: IstioIngressListener[];
  egress?: IstioEgressListener[];
  outboundTrafficPolicy?: { mode?: 'ALLOW_ANY' | 'REGISTRY_ONLY' };
}
