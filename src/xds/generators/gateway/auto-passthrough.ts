// AUTO_PASSTHROUGH gateway servers (Istio builtAutoPassthroughFilterChains): one chain per visible
// mesh service port (and DestinationRule subset) the server's hosts cover, matched by the SNI an
// Istio client sends over mTLS (`outbound_.<port>_.<subset>_.<host>`) and Istio's mTLS ALPN, that
// forwards the still-encrypted connection to the SNI-DNAT cluster of the same name. No TLS is
// terminated here and no authorization applies.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { hostMatches } from '../../../registry/host.js';
import { sniClusterName } from '../common.js';
import { MESH_MTLS_ALPN } from '../listener/inbound-chains.js';
import { tcpFilters } from '../listener/network-filters.js';
import { splitServerHost, type GatewayServerInfo } from './servers.js';

export function autoPassthroughChains(proxy: ProxyInfo, push: PushContext, s: GatewayServerInfo): object[] {
  const hosts = s.server.hosts.map((h) => splitServerHost(h).host);
  const chains: object[] = [];
  for (const service of push.servicesFor(proxy)) {
    if (service.meshExternal || !hosts.some((h) => hostMatches(h, service.hostname))) continue;
    const subsets = push.destinationRule(proxy, service.hostname)?.spec.subsets ?? [];
    for (const port of service.ports) {
      if (port.protocol === 'UDP') continue;
      for (const subset of ['', ...subsets.map((x) => x.name)]) {
        const cluster = sniClusterName(port.port, subset, service.hostname);
        chains.push({
          filter_chain_match: { server_names: [cluster], application_protocols: MESH_MTLS_ALPN },
          filters: tcpFilters(push, cluster, cluster, 'gateway'),
        });
      }
    }
  }
  return chains;
}
