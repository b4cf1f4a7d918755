// The capture listeners (Istio buildVirtualOutboundListener / buildInboundListeners): virtualOutbound on
// 15001 hands connections to the listener of their original destination, else Passthrough/BlackHole;
// virtualInbound on 15006 picks a filter chain per destination port and transport (inbound-chains.ts).
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import {
  BLACKHOLE_CLUSTER,
  INBOUND_CAPTURE_PORT,
  INBOUND_PASSTHROUGH_CLUSTER,
  OUTBOUND_CAPTURE_PORT,
  PASSTHROUGH_CLUSTER,
  VIRTUAL_INBOUND,
  VIRTUAL_OUTBOUND,
} from '../common.js';
import { inboundFilterChains } from './inbound-chains.js';
import { inboundPorts } from './inbound-ports.js';
import { listenerFilter, tcpFilters } from './network-filters.js';

export function virtualOutboundListener(proxy: ProxyInfo, push: PushContext): object {
  const cluster =
    push.outboundTrafficMode(proxy) === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
  return {
    name: VIRTUAL_OUTBOUND,
    address: { socket_address: { address: '0.0.0.0', port_value: OUTBOUND_CAPTURE_PORT } },
    use_original_dst: { value: true },
    traffic_direction: 'OUTBOUND',
    listener_filters: [listenerFilter('originalDst')],
    filter_chains: [
      { name: 'PassthroughFilterChain', filters: tcpFilters(push, cluster, cluster, 'sidecar-outbound') },
    ],
  };
}

export function virtualInboundListener(proxy: ProxyInfo, push: PushContext): object {
  const chains = inboundPorts(proxy, push).flatMap((p) => inboundFilterChains(proxy, push, p));
  chains.push({
    name: 'PassthroughFilterChain',
    filters: tcpFilters(push, INBOUND_PASSTHROUGH_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER, 'sidecar-inbound'),
  });
  return {
    name: VIRTUAL_INBOUND,
    address: { socket_address: { address: '0.0.0.0', port_value: INBOUND_CAPTURE_PORT } },
    traffic_direction: 'INBOUND',
    listener_filters: [
      listenerFilter('originalDst'),
      listenerFilter('tlsInspector'),
      listenerFilter('httpInspector'),
    ],
    filter_chains: chains,
  };
}
