// Per-pod name resolution: /etc/netns/<netns>/hosts, which `ip netns exec` binds over
// /etc/hosts for every process started in the pod.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NETNS_ETC = '/etc/netns';

export interface HostEntry {
  ip: string;
  names: string[];
}

export interface ServiceAddress {
  name: string;
  namespace: string;
  vip: string;
}

/**
 * Kubernetes-style names for each service as seen from a pod in `podNamespace`: the short name
 * only for its own namespace, then `<svc>.<ns>`, `<svc>.<ns>.svc`, `<svc>.<ns>.svc.<domain>`.
 */
export function serviceHostEntries(
  services: readonly ServiceAddress[],
  podNamespace: string,
  clusterDomain = 'cluster.local',
): HostEntry[] {
  return services.map((s) => ({
    ip: s.vip,
    names: [
      ...(s.namespace === podNamespace ? [s.name] : []),
      `${s.name}.${s.namespace}`,
      `${s.name}.${s.namespace}.svc`,
      `${s.name}.${s.namespace}.svc.${clusterDomain}`,
    ],
  }));
}

export function renderHosts(entries: readonly HostEntry[]): string {
  const base = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  return [...base, ...entries.map((e) => `${e.ip}\t${e.names.join(' ')}`)].join('\n') + '\n';
}

/**
 * Rewrites the file in place (not rename): running processes see /etc/hosts through a bind
 * mount of this inode, and glibc re-reads it on every lookup.
 */
export function writeHostsFile(netns: string, entries: readonly HostEntry[]): void {
  const dir = join(NETNS_ETC, netns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hosts'), renderHosts(entries));
}
