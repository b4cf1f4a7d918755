// What `weft up` needs from the machine (DESIGN §3): root capabilities, iproute2, iptables with
// a backend that works inside a network namespace, setpriv, and a writable /etc/netns. Each
// missing piece is reported with the command that provides it.
import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run } from './exec.js';
import { NETNS_ETC } from './hosts.js';

export interface PreflightProblem {
  problem: string;
  fix: string;
}

export interface PreflightOptions {
  /** The PATH to look tools up in (default: this process's). */
  path?: string;
}

const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;

const TOOLS: { names: string[]; pkg: string; why: string }[] = [
  { names: ['ip'], pkg: 'iproute2', why: 'to create network namespaces, veths and the bridge' },
  {
    names: ['iptables', 'iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save'],
    pkg: 'iptables',
    why: 'to install traffic capture rules in pods',
  },
  { names: ['setpriv', 'unshare'], pkg: 'util-linux', why: 'to run pod processes as the proxy uid 1337' },
];

export async function preflight(opts: PreflightOptions = {}): Promise<PreflightProblem[]> {
  const path = opts.path ?? process.env.PATH ?? '';
  const problems: PreflightProblem[] = [];

  const caps = effectiveCapabilities();
  const privileged = hasCap(caps, CAP_NET_ADMIN) && hasCap(caps, CAP_SYS_ADMIN);
  if (!privileged) {
    problems.push({
      problem: 'not running as root: network namespaces and iptables need CAP_NET_ADMIN and CAP_SYS_ADMIN',
      fix: 'run as root, e.g. `sudo weft up`',
    });
  }
  const missing = new Set<string>();
  for (const tool of TOOLS) {
    const absent = tool.names.filter((n) => !findExecutable(n, path));
    if (absent.length === 0) continue;
    absent.forEach((n) => missing.add(n));
    problems.push({
      problem: `${absent.join(', ')} not found in PATH (needed ${tool.why})`,
      fix: `apt-get install -y ${tool.pkg}`,
    });
  }
  if (privileged && !missing.has('iptables') && !missing.has('unshare')) {
    // A throwaway namespace (gone when unshare exits) proves the backend works where pods live.
    try {
      await run('unshare', ['--net', 'iptables', '-t', 'nat', '-S'], { env: { ...process.env, PATH: path } });
    } catch (e) {
      problems.push({
        problem: `iptables does not work inside a network namespace: ${(e as Error).message}`,
        fix: 'use iptables 1.8+ with the nf_tables backend (`apt-get install -y iptables`) on a kernel with nf_tables NAT',
      });
    }
  }
  if (privileged && !netnsEtcWritable()) {
    problems.push({
      problem: `${NETNS_ETC} is not writable (pod hosts files live there)`,
      fix: `make ${NETNS_ETC} writable for root (e.g. not a read-only /etc)`,
    });
  }
  return problems;
}

export function formatPreflight(problems: readonly PreflightProblem[]): string {
  return problems.map((p) => `- ${p.problem}\n  fix: ${p.fix}`).join('\n');
}

function effectiveCapabilities(): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m?.[1] ? BigInt(`0x${m[1]}`) : 0n;
}

function hasCap(caps: bigint, bit: number): boolean {
  return (caps & (1n << BigInt(bit))) !== 0n;
}

function findExecutable(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

function netnsEtcWritable(): boolean {
  try {
    mkdirSync(NETNS_ETC, { recursive: true });
    accessSync(NETNS_ETC, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
