// The inputs of istio-iptables (tools/istio-iptables flags / tools/common/config.Config), typed.
import type { Cidr } from '../net/cidr.js';

export type InterceptionMode = 'REDIRECT' | 'TPROXY';

export interface CaptureConfig {
  /** Owners whose traffic is the proxy's own and never captured (Istio's PROXY_UID/PROXY_GID). */
  proxyUids: string[];
  proxyGids: string[];
  /** Outbound capture port (15001), inbound capture port (15006), HBONE tunnel port (15008). */
  outboundCapturePort: number;
  inboundCapturePort: number;
  inboundTunnelPort: number;
  interceptionMode: InterceptionMode;
  tproxyMark: number;
  tproxyRouteTable: number;
  /** `'*'` = every inbound port; `[]` = no inbound capture. */
  inboundPortsInclude: '*' | number[];
  /** Only consulted when inboundPortsInclude is `'*'`, as in Istio. */
  inboundPortsExclude: number[];
  outboundPortsInclude: number[];
  outboundPortsExclude: number[];
  /** `'*'` = every destination; `[]` = none (only outbound ports include, if any). */
  outboundIpRangesInclude: '*' | Cidr[];
  outboundIpRangesExclude: Cidr[];
  /** Interfaces whose inbound traffic is treated as outbound (KubeVirt). */
  kubeVirtInterfaces: string[];
  /** Interfaces never captured in either direction. */
  excludeInterfaces: string[];
  enableIpv6: boolean;
  /** DNS capture to 15053; effective only with captureAllDns or at least one server. */
  redirectDns: boolean;
  captureAllDns: boolean;
  dnsServersV4: string[];
  dnsServersV6: string[];
  dropInvalid: boolean;
  /** `'*'` = capture every group except ownerGroupsExclude; a list = only those groups. */
  ownerGroupsInclude: '*' | string[];
  ownerGroupsExclude: string[];
  /** Loopback destinations exempt from capture (ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR). */
  hostIpv4LoopbackCidr: string;
}

/** istio-iptables' own defaults: nothing is captured until ranges or ports are given. */
export function toolDefaults(): CaptureConfig {
  return {
    proxyUids: ['1337'],
    proxyGids: ['1337'],
    outboundCapturePort: 15001,
    inboundCapturePort: 15006,
    inboundTunnelPort: 15008,
    interceptionMode: 'REDIRECT',
    tproxyMark: 1337,
    tproxyRouteTable: 133,
    inboundPortsInclude: [],
    inboundPortsExclude: [],
    outboundPortsInclude: [],
    outboundPortsExclude: [],
    outboundIpRangesInclude: [],
    outboundIpRangesExclude: [],
    kubeVirtInterfaces: [],
    excludeInterfaces: [],
    enableIpv6: false,
    redirectDns: false,
    captureAllDns: false,
    dnsServersV4: [],
    dnsServersV6: [],
    dropInvalid: false,
    ownerGroupsInclude: '*',
    ownerGroupsExclude: [],
    hostIpv4LoopbackCidr: '127.0.0.1/32',
  };
}

/**
 * What the sidecar injector passes to istio-init for a pod without annotations: capture all
 * outbound and inbound traffic except the proxy's own 15090/15021/15020 ports.
 */
export function sidecarDefaults(): CaptureConfig {
  return {
    ...toolDefaults(),
    inboundPortsInclude: '*',
    inboundPortsExclude: [15090, 15021, 15020],
    outboundIpRangesInclude: '*',
  };
}
