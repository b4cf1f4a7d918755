// The capture listeners (Istio buildVirtualOutboundListener / buildInboundListeners): virtualOutbound on
// 15001 hands connections to the listener of their original destination, else Passthrough/BlackHole;
// virtualInbound on 15006 picks a filter chain per destination port and transport (mTLS or plaintext).
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { isHttpProtocol } from '../../../registry/model.js';
import {
  BLACKHOLE_CLUSTER,
  clusterName,
  INBOUND_CAPTURE_PORT,
  INBOUND_PASSTHROUGH_CLUSTER,
  OUTBOUND_CAPTURE_PORT,
  PASSTHROUGH_CLUSTER,
  typed,
  Types,
  VIRTUAL_INBOUND,
  VIRTUAL_OUTBOUND,
} from '../common.js';
import { sdsSecret, SDS_DEFAULT_CERT, SDS_ROOT_CA } from '../cluster/tls.js';
import { inboundPorts, type InboundPort } from './inbound-ports.js';
import { httpConnectionManager, listenerFilter, tcpProxy } from './network-filters.js';

/** ALPN values Istio clients send over mesh mTLS; the inbound mTLS chain matches on them. */
const MESH_ALPN = ['istio-peer-exchange', 'istio', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'];

export function virtualOutboundListener(proxy: ProxyInfo, push: PushContext): object {
  const cluster =
    push.outboundTrafficMode(proxy) === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
  return {
    name: VIRTUAL_OUTBOUND,
    address: { socket_address: { address: '0.0.0.0', port_value: OUTBOUND_CAPTURE_PORT } },
    use_original_dst: { value: true },
    traffic_direction: 'OUTBOUND',
    listener_filters: [listenerFilter('originalDst')],
    filter_chains: [{ name: 'PassthroughFilterChain', filters: [tcpProxy(push, cluster, cluster)] }],
  };
}

export function virtualInboundListener(proxy: ProxyInfo, push: PushContext): object {
  const chains: object[] = [];
  for (const p of inboundPorts(proxy, push)) {
    const mode = push.inboundMtlsMode(proxy, p.targetPort);
    const filters = inboundFilters(push, p);
    if (mode !== 'DISABLE')
      chains.push({
        name: `${clusterName('inbound', p.port, '', p.host)}-mtls`,
        filter_chain_match: {
          destination_port: { value: p.targetPort },
          transport_protocol: 'tls',
          application_protocols: MESH_ALPN,
        },
        transport_socket: downstreamMtls(),
        filters,
      });
    if (mode !== 'STRICT')
      chains.push({
        name: clusterName('inbound', p.port, '', p.host),
        filter_chain_match: { destination_port: { value: p.targetPort }, transport_protocol: 'raw_buffer' },
        filters,
      });
  }
  chains.push({
    name: 'PassthroughFilterChain',
    filters: [tcpProxy(push, INBOUND_PASSTHROUGH_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER)],
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

function inboundFilters(push: PushContext, p: InboundPort): object[] {
  const cluster = clusterName('inbound', p.port, '', p.host);
  if (!isHttpProtocol(p.protocol)) return [tcpProxy(push, cluster, cluster)];
  const routeConfig = {
    name: cluster,
    virtual_hosts: [
      {
        name: `inbound|http|${p.port}`,
        domains: ['*'],
        routes: [
          { name: 'default', match: { prefix: '/' }, route: { cluster, timeout: { seconds: 0, nanos: 0 } } },
        ],
      },
    ],
    validate_clusters: { value: false },
  };
  return [
    httpConnectionManager(push, {
      statPrefix: `inbound_0.0.0.0_${p.targetPort}`,
      routeConfig,
      direction: 'inbound',
    }),
  ];
}

function downstreamMtls(): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: typed(Types.downstreamTls, {
      common_tls_context: {
        tls_certificate_sds_secret_configs: [sdsSecret(SDS_DEFAULT_CERT)],
        combined_validation_context: {
          default_validation_context: {},
          validation_context_sds_secret_config: sdsSecret(SDS_ROOT_CA),
        },
        alpn_protocols: ['h2', 'http/1.1'],
      },
      require_client_certificate: { value: true },
    }),
  };
}
