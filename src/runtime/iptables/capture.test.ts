// Golden test against istio-iptables' own outputs (../shared/testdata/istio-iptables-golden):
// each case is the named configuration from Istio's capture run_test.go, rebuilt on our types.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCidr, type Cidr } from '../net/cidr.js';
import { buildCaptureRules } from './capture.js';
import { toolDefaults, type CaptureConfig } from './config.js';
import { parseRestore, type Tables } from './parse.js';

const GOLDEN_DIR = join(process.cwd(), '../shared/testdata/istio-iptables-golden');

function cidrs(...texts: string[]): Cidr[] {
  return texts.map((t) => {
    const c = parseCidr(t);
    if (typeof c === 'string') throw new Error(c);
    return c;
  });
}

const cases: Record<string, Partial<CaptureConfig>> = {
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

/**
 * A golden file is Istio's dry-run trace: `iptables-save`/`ip6tables-save` probes around the
 * IPv4 restore input followed by the IPv6 one. Tables within one restore are in name order, so
 * a table name that does not sort after the previous one starts the next family's restore.
 */
function goldenRestores(text: string): string[] {
  const blocks: string[][] = [];
  let lastTable = '';
  for (const line of text.split('\n')) {
    if (line === 'iptables-save' || line === 'ip6tables-save' || line.trim() === '') continue;
    if (line.startsWith('* ')) {
      const table = line.slice(2);
      if (blocks.length === 0 || table <= lastTable) blocks.push([]);
      lastTable = table;
    }
    blocks.at(-1)?.push(line);
  }
  return blocks.map((b) => b.join('\n'));
}

/** Order-normalised view: declared chains as a set, each chain's final rule list in order. */
function normalise(tables: Tables): Record<string, { chains: string[]; rules: Record<string, string[]> }> {
  const out: Record<string, { chains: string[]; rules: Record<string, string[]> }> = {};
  for (const [name, t] of tables) {
    out[name] = { chains: [...t.chains].sort(), rules: Object.fromEntries([...t.rules].sort()) };
  }
  return out;
}

test('every golden file has a case', () => {
  const files = readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.golden'))
    .map((f) => f.replace(/\.golden$/, ''));
  assert.deepEqual(files.sort(), Object.keys(cases).sort());
});

for (const [name, overrides] of Object.entries(cases)) {
  test(`istio-iptables golden: ${name}`, () => {
    const cfg: CaptureConfig = { ...toolDefaults(), ...overrides };
    const rules = buildCaptureRules(cfg);
    const golden = goldenRestores(readFileSync(join(GOLDEN_DIR, `${name}.golden`), 'utf8'));
    assert.equal(golden.length, rules.families.length, 'one restore per IP family');
    rules.families.forEach((family, i) => {
      assert.deepEqual(
        normalise(parseRestore(rules.toRestore(family))),
        normalise(parseRestore(golden[i] ?? '')),
        `IPv${family} rules differ`,
      );
    });
  });
}
