// The named capture configurations of Istio's tools/istio-iptables/pkg/capture/run_test.go,
// rebuilt on our CaptureConfig (overrides of istio-iptables' defaults), one per golden file.
import { join } from 'node:path';
import { parseCidr, type Cidr } from '../../src/runtime/net/cidr.js';
import type { CaptureConfig } from '../../src/runtime/iptables/config.js';

export const GOLDEN_DIR = join(import.meta.dirname, '../../../shared/testdata/istio-iptables-golden');

function cidrs(...texts: string[]): Cidr[] {
  return texts.map((t) => {
    const c = parseCidr(t);
    if (typeof c === 'string') throw new Error(c);
    return c;
  });
}

export const istioCaptureCases: Record<string, Partial<CaptureConfig>> = {
  'ipv6-empty-inbound-ports': { inboundPortsInclude: [], enableIpv6: true },
  'ip-range': {
    outboundIpRangesExclude: cidrs('1.1.0.0/16'),
    outboundIpRangesInclude: cidrs('9.9.0.0/16'),
    redirectDns: true,
    proxyGids: ['1', '2'],
    proxyUids: ['3', '4'],
    dnsServersV4: ['127.0.0.53'],
  },
  tproxy: {
    interceptionMode: 'TPROXY',
    inboundPortsInclude: '*',
    outboundIpRangesExclude: cidrs('1.1.0.0/16'),
    outboundIpRangesInclude: cidrs('9.9.0.0/16'),
    redirectDns: true,
    dnsServersV4: ['127.0.0.53'],
    excludeInterfaces: ['not-istio-nic'],
    enableIpv6: true,
  },
  'ipv6-inbound-ports': { inboundPortsInclude: [4000, 5000], enableIpv6: true },
  'ipv6-virt-interfaces': {
    inboundPortsInclude: [4000, 5000],
    kubeVirtInterfaces: ['eth0', 'eth1'],
    enableIpv6: true,
  },
  'ipv6-ipnets': {
    inboundPortsInclude: [4000, 5000],
    inboundPortsExclude: [6000, 7000],
    kubeVirtInterfaces: ['eth0', 'eth1'],
    outboundIpRangesExclude: cidrs('2001:db8::/32'),
    outboundIpRangesInclude: cidrs('2001:db8::/32'),
    enableIpv6: true,
  },
  'ipv6-uid-gid': {
    inboundPortsInclude: [4000, 5000],
    inboundPortsExclude: [6000, 7000],
    kubeVirtInterfaces: ['eth0', 'eth1'],
    proxyGids: ['1', '2'],
    proxyUids: ['3', '4'],
    enableIpv6: true,
    outboundIpRangesExclude: cidrs('2001:db8::/32'),
    outboundIpRangesInclude: cidrs('2001:db8::/32'),
  },
  'ipv6-outbound-ports': { inboundPortsInclude: [], outboundPortsInclude: [32000, 31000], enableIpv6: true },
  empty: {},
  'kube-virt-interfaces': { kubeVirtInterfaces: ['eth1', 'eth2'], outboundIpRangesInclude: '*' },
  ipnets: { outboundIpRangesInclude: cidrs('10.0.0.0/8') },
  'ipnets-with-kube-virt-interfaces': {
    kubeVirtInterfaces: ['eth1', 'eth2'],
    outboundIpRangesInclude: cidrs('10.0.0.0/8'),
  },
  'inbound-ports-include': { inboundPortsInclude: [32000, 31000] },
  'inbound-ports-wildcard': { inboundPortsInclude: '*' },
  'inbound-ports-tproxy': { inboundPortsInclude: [32000, 31000], interceptionMode: 'TPROXY' },
  'inbound-ports-wildcard-tproxy': { inboundPortsInclude: '*', interceptionMode: 'TPROXY' },
  'dns-uid-gid': {
    redirectDns: true,
    dnsServersV4: ['127.0.0.53'],
    dnsServersV6: ['::127.0.0.53'],
    proxyGids: ['1', '2'],
    proxyUids: ['3', '4'],
    enableIpv6: true,
  },
  'ipv6-dns-uid-gid': { enableIpv6: true, redirectDns: true, proxyGids: ['1', '2'], proxyUids: ['3', '4'] },
  'outbound-owner-groups': { ownerGroupsInclude: ['java', '202'] },
  'outbound-owner-groups-exclude': { ownerGroupsExclude: ['888', 'ftp'] },
  'ipv6-dns-outbound-owner-groups': {
    enableIpv6: true,
    redirectDns: true,
    ownerGroupsInclude: ['java', '202'],
  },
  'ipv6-dns-outbound-owner-groups-exclude': {
    enableIpv6: true,
    redirectDns: true,
    ownerGroupsExclude: ['888', 'ftp'],
  },
  'outbound-ports-include': { outboundPortsInclude: [32000, 31000] },
  'loopback-outbound-iprange': {
    outboundIpRangesInclude: cidrs('127.1.2.3/32'),
    redirectDns: true,
    dnsServersV4: ['127.0.0.53'],
    proxyGids: ['1', '2'],
    proxyUids: ['3', '4'],
  },
  'basic-exclude-nic': { excludeInterfaces: ['not-istio-nic'] },
  'drop-invalid': { dropInvalid: true },
  'host-ipv4-loopback-cidr': { hostIpv4LoopbackCidr: '127.0.0.1/8' },
};
