// Builds the transparent-capture rules of istio-iptables (tools/istio-iptables/pkg/capture):
// nat ISTIO_INBOUND / ISTIO_IN_REDIRECT / ISTIO_OUTPUT / ISTIO_REDIRECT, the TPROXY mangle
// chains, and the DNS (15053) redirect with its conntrack zones.
import { formatCidr, isLoopback, type Cidr } from '../net/cidr.js';
import type { CaptureConfig } from './config.js';
import { RuleSet, type Family } from './ruleset.js';

const INBOUND = 'ISTIO_INBOUND';
const IN_REDIRECT = 'ISTIO_IN_REDIRECT';
const OUTPUT = 'ISTIO_OUTPUT';
const REDIRECT = 'ISTIO_REDIRECT';
const OUTPUT_DNS = 'ISTIO_OUTPUT_DNS';
const DIVERT = 'ISTIO_DIVERT';
const TPROXY = 'ISTIO_TPROXY';
const DROP = 'ISTIO_DROP';
const DNS_PORT = '15053';
/** Marks the proxy's own loopback traffic to the app under TPROXY so it is not re-captured. */
const OUTBOUND_MARK = '1338';
const INBOUND_PASSTHROUGH_SRC: Record<Family, string> = { 4: '127.0.0.6/32', 6: '::6/128' };

export function buildCaptureRules(cfg: CaptureConfig): RuleSet {
  const rs = new RuleSet(cfg.enableIpv6 ? [4, 6] : [4]);
  const loopback: Record<Family, string> = { 4: cfg.hostIpv4LoopbackCidr, 6: '::1/128' };
  const tproxy = cfg.interceptionMode === 'TPROXY';
  const dns = cfg.redirectDns && (cfg.captureAllDns || cfg.dnsServersV4.length + cfg.dnsServersV6.length > 0);
  const include = cfg.outboundIpRangesInclude;
  const loopbackIncluded = include !== '*' && include.some(isLoopback);

  for (const nic of cfg.excludeInterfaces) {
    rs.append('nat', 'PREROUTING', '-i', nic, '-j', 'RETURN');
    rs.append('nat', 'OUTPUT', '-o', nic, '-j', 'RETURN');
  }
  if (tproxy) {
    for (const nic of cfg.excludeInterfaces) {
      rs.append('mangle', 'PREROUTING', '-i', nic, '-j', 'RETURN');
      rs.append('mangle', 'OUTPUT', '-o', nic, '-j', 'RETURN');
    }
  }
  for (const nic of cfg.kubeVirtInterfaces) rs.insert('nat', 'PREROUTING', 1, '-i', nic, '-j', 'RETURN');
  if (cfg.dropInvalid) {
    // Drop out-of-window packets instead of letting the stack answer them with a reset.
    rs.append('mangle', 'PREROUTING', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', DROP);
    rs.append('mangle', DROP, '-j', 'DROP');
  }

  rs.append('nat', INBOUND, '-p', 'tcp', '--dport', String(cfg.inboundTunnelPort), '-j', 'RETURN');
  rs.append('nat', REDIRECT, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(cfg.outboundCapturePort));
  rs.append('nat', IN_REDIRECT, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(cfg.inboundCapturePort));
  addInbound(rs, cfg, loopback);

  rs.append('nat', 'OUTPUT', '-j', OUTPUT);
  for (const port of cfg.outboundPortsExclude) {
    rs.append('nat', OUTPUT, '-p', 'tcp', '--dport', String(port), '-j', 'RETURN');
    rs.append('nat', OUTPUT, '-p', 'udp', '--dport', String(port), '-j', 'RETURN');
  }
  // Connections the proxy binds to 127.0.0.6 (inbound passthrough) are never captured.
  rs.appendVersioned('nat', OUTPUT, INBOUND_PASSTHROUGH_SRC, (src) => [
    '-o',
    'lo',
    '-s',
    src,
    '-j',
    'RETURN',
  ]);
  for (const [flag, ids] of [
    ['--uid-owner', cfg.proxyUids],
    ['--gid-owner', cfg.proxyGids],
  ] as const) {
    for (const id of ids) {
      // The proxy calling a VIP that resolves back to this pod goes through inbound capture,
      // except DNS (only the uid rule carries the port-53 exemption, as in Istio).
      const ports =
        dns && flag === '--uid-owner'
          ? ['-m', 'multiport', '!', '--dports', `53,${cfg.inboundTunnelPort}`]
          : ['!', '--dport', String(cfg.inboundTunnelPort)];
      rs.appendVersioned('nat', OUTPUT, loopback, (lo) => [
        ...['-o', 'lo', '!', '-d', lo, '-p', 'tcp', ...ports, '-m', 'owner', flag, id, '-j', IN_REDIRECT],
      ]);
      // The app calling itself over loopback stays local, unless loopback is explicitly captured.
      if (!loopbackIncluded) {
        const notDns = dns ? ['-p', 'tcp', '!', '--dport', '53'] : [];
        rs.append('nat', OUTPUT, '-o', 'lo', ...notDns, '-m', 'owner', '!', flag, id, '-j', 'RETURN');
      }
      rs.append('nat', OUTPUT, '-m', 'owner', flag, id, '-j', 'RETURN');
    }
  }
  addOwnerGroupFilter(rs, cfg);
  if (dns) addDnsRedirect(rs, cfg);

  rs.appendVersioned('nat', OUTPUT, loopback, (lo) => ['-d', lo, '-j', 'RETURN']);
  for (const c of cfg.outboundIpRangesExclude)
    rs.appendTo(c.family, 'nat', OUTPUT, '-d', formatCidr(c), '-j', 'RETURN');
  for (const port of cfg.outboundPortsInclude) {
    rs.append('nat', OUTPUT, '-p', 'tcp', '--dport', String(port), '-j', REDIRECT);
  }
  for (const family of rs.families) addOutboundInclude(rs, cfg, family);
  if (tproxy) addTproxyMarks(rs, cfg, loopback);
  return rs;
}

function addInbound(rs: RuleSet, cfg: CaptureConfig, loopback: Record<Family, string>): void {
  const include = cfg.inboundPortsInclude;
  if (include !== '*' && include.length === 0) return;
  const tproxy = cfg.interceptionMode === 'TPROXY';
  const mark = String(cfg.tproxyMark);
  const table = tproxy ? 'mangle' : 'nat';
  if (tproxy) {
    // Marked packets are routed to loopback (ip rule fwmark → local table) where TPROXY delivers them.
    rs.append('mangle', DIVERT, '-j', 'MARK', '--set-mark', mark);
    rs.append('mangle', DIVERT, '-j', 'ACCEPT');
    rs.appendVersioned('mangle', TPROXY, loopback, (lo) => [
      ...['!', '-d', lo, '-p', 'tcp', '-j', 'TPROXY', '--tproxy-mark', `${mark}/0xffffffff`],
      ...['--on-port', String(cfg.inboundCapturePort)],
    ]);
  }
  rs.append(table, 'PREROUTING', '-p', 'tcp', '-j', INBOUND);
  if (include === '*') {
    for (const port of cfg.inboundPortsExclude) {
      rs.append(table, INBOUND, '-p', 'tcp', '--dport', String(port), '-j', 'RETURN');
    }
    captureInboundPort(rs, tproxy, []);
  } else {
    for (const port of include) captureInboundPort(rs, tproxy, ['--dport', String(port)]);
  }
}

function captureInboundPort(rs: RuleSet, tproxy: boolean, port: string[]): void {
  if (tproxy) {
    // Packets of connections already handed to the proxy only need re-routing to loopback.
    rs.append(
      'mangle',
      INBOUND,
      '-p',
      'tcp',
      ...port,
      '-m',
      'conntrack',
      '--ctstate',
      'RELATED,ESTABLISHED',
      '-j',
      DIVERT,
    );
    rs.append('mangle', INBOUND, '-p', 'tcp', ...port, '-j', TPROXY);
  } else {
    rs.append('nat', INBOUND, '-p', 'tcp', ...port, '-j', IN_REDIRECT);
  }
}

function addOwnerGroupFilter(rs: RuleSet, cfg: CaptureConfig): void {
  if (cfg.ownerGroupsInclude === '*') {
    for (const group of cfg.ownerGroupsExclude) {
      rs.append('nat', OUTPUT, '-m', 'owner', '--gid-owner', group, '-j', 'RETURN');
    }
    return;
  }
  // Only the listed groups are captured: return when the owner is none of them.
  const noneOf = cfg.ownerGroupsInclude.flatMap((g) => ['-m', 'owner', '!', '--gid-owner', g]);
  rs.append('nat', OUTPUT, ...noneOf, '-j', 'RETURN');
}

function addDnsRedirect(rs: RuleSet, cfg: CaptureConfig): void {
  const servers: Record<Family, { list: string[]; bits: string }> = {
    4: { list: cfg.dnsServersV4, bits: '/32' },
    6: { list: cfg.dnsServersV6, bits: '/128' },
  };
  rs.append('raw', 'OUTPUT', '-j', OUTPUT_DNS);
  for (const f of [4, 6] as const) {
    if (cfg.captureAllDns || servers[f].list.length > 0) rs.appendTo(f, 'nat', OUTPUT, '-j', OUTPUT_DNS);
  }
  // Only the resolvers the pod uses are captured, so a local resolver chain cannot loop.
  for (const [proto, toPort] of [
    ['tcp', '--to-ports'],
    ['udp', '--to-port'],
  ] as const) {
    if (cfg.captureAllDns) {
      rs.append('nat', OUTPUT_DNS, '-p', proto, '--dport', '53', '-j', 'REDIRECT', toPort, DNS_PORT);
      continue;
    }
    for (const f of [4, 6] as const) {
      for (const s of servers[f].list) {
        const d = ['-d', s + servers[f].bits];
        rs.appendTo(
          f,
          'nat',
          OUTPUT_DNS,
          '-p',
          proto,
          '--dport',
          '53',
          ...d,
          '-j',
          'REDIRECT',
          toPort,
          DNS_PORT,
        );
      }
    }
  }
  // Separate conntrack zones for proxy↔resolver (1) and app↔proxy (2) UDP flows avoid
  // conntrack entries of one direction capturing the other.
  for (const [flag, ids] of [
    ['--uid-owner', cfg.proxyUids],
    ['--gid-owner', cfg.proxyGids],
  ] as const) {
    for (const id of ids) {
      rs.append(
        'raw',
        OUTPUT_DNS,
        '-p',
        'udp',
        '--dport',
        '53',
        '-m',
        'owner',
        flag,
        id,
        '-j',
        'CT',
        '--zone',
        '1',
      );
      rs.append(
        'raw',
        OUTPUT_DNS,
        '-p',
        'udp',
        '--sport',
        DNS_PORT,
        '-m',
        'owner',
        flag,
        id,
        '-j',
        'CT',
        '--zone',
        '2',
      );
    }
  }
  if (cfg.captureAllDns) {
    rs.append('raw', 'PREROUTING', '-j', INBOUND);
    rs.append('raw', OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-j', 'CT', '--zone', '2');
    rs.append('raw', INBOUND, '-p', 'udp', '--sport', '53', '-j', 'CT', '--zone', '1');
    return;
  }
  for (const f of [4, 6] as const) {
    if (servers[f].list.length > 0) rs.appendTo(f, 'raw', 'PREROUTING', '-j', INBOUND);
    for (const s of servers[f].list) {
      const addr = s + servers[f].bits;
      rs.appendTo(f, 'raw', OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-d', addr, '-j', 'CT', '--zone', '2');
      rs.appendTo(f, 'raw', INBOUND, '-p', 'udp', '--sport', '53', '-s', addr, '-j', 'CT', '--zone', '1');
    }
  }
}

function addOutboundInclude(rs: RuleSet, cfg: CaptureConfig, family: Family): void {
  const include = cfg.outboundIpRangesInclude;
  if (include === '*') {
    rs.appendTo(family, 'nat', OUTPUT, '-j', REDIRECT);
    for (const nic of cfg.kubeVirtInterfaces)
      rs.insertTo(family, 'nat', 'PREROUTING', 1, '-i', nic, '-j', REDIRECT);
    return;
  }
  for (const c of include.filter((r: Cidr) => r.family === family)) {
    const d = ['-d', formatCidr(c)];
    for (const nic of cfg.kubeVirtInterfaces)
      rs.insertTo(family, 'nat', 'PREROUTING', 1, '-i', nic, ...d, '-j', REDIRECT);
    rs.appendTo(family, 'nat', OUTPUT, ...d, '-j', REDIRECT);
  }
}

function addTproxyMarks(rs: RuleSet, cfg: CaptureConfig, loopback: Record<Family, string>): void {
  const mark = String(cfg.tproxyMark);
  rs.append(
    'mangle',
    'PREROUTING',
    '-p',
    'tcp',
    '-m',
    'mark',
    '--mark',
    mark,
    '-j',
    'CONNMARK',
    '--save-mark',
  );
  rs.append('mangle', 'OUTPUT', '-p', 'tcp', '-o', 'lo', '-m', 'mark', '--mark', mark, '-j', 'RETURN');
  for (const [flag, ids] of [
    ['--uid-owner', cfg.proxyUids],
    ['--gid-owner', cfg.proxyGids],
  ] as const) {
    for (const id of ids) {
      rs.appendVersioned('mangle', 'OUTPUT', loopback, (lo) => [
        ...[
          '!',
          '-d',
          lo,
          '-p',
          'tcp',
          '-o',
          'lo',
          '-m',
          'owner',
          flag,
          id,
          '-j',
          'MARK',
          '--set-mark',
          OUTBOUND_MARK,
        ],
      ]);
    }
  }
  rs.append(
    'mangle',
    'OUTPUT',
    '-p',
    'tcp',
    '-m',
    'connmark',
    '--mark',
    mark,
    '-j',
    'CONNMARK',
    '--restore-mark',
  );
  rs.insert('mangle', INBOUND, 1, '-p', 'tcp', '-m', 'mark', '--mark', mark, '-j', 'RETURN');
  for (const f of rs.families) {
    rs.insertTo(
      f,
      'mangle',
      INBOUND,
      2,
      '-p',
      'tcp',
      '-s',
      INBOUND_PASSTHROUGH_SRC[f],
      '-i',
      'lo',
      '-j',
      'RETURN',
    );
  }
  rs.insert(
    'mangle',
    INBOUND,
    3,
    '-p',
    'tcp',
    '-i',
    'lo',
    '-m',
    'mark',
    '!',
    '--mark',
    OUTBOUND_MARK,
    '-j',
    'RETURN',
  );
}
