// Istio's fixed clusters (BlackHoleCluster, PassthroughCluster, InboundPassthroughClusterIpv4) and the
// sidecar's inbound clusters `inbound|<port>||<host>` that deliver to the app on 127.0.0.1.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { parseDuration } from '../../proto/duration.js';
import { isHttp2Protocol } from '../../../registry/model.js';
import {
  BLACKHOLE_CLUSTER,
  clusterName,
  INBOUND_PASSTHROUGH_CLUSTER,
  PASSTHROUGH_CLUSTER,
  typed,
  Types,
} from '../common.js';
import { inboundPorts } from '../listener/inbound-ports.js';

export function blackHoleCluster(push: PushContext): object {
  return {
    name: BLACKHOLE_CLUSTER,
    type: 'STATIC',
    connect_timeout: parseDuration(push.mesh.connectTimeout),
  };
}

export function passthroughCluster(push: PushContext): object {
  return {
    name: PASSTHROUGH_CLUSTER,
    type: 'ORIGINAL_DST',
    lb_policy: 'CLUSTER_PROVIDED',
    connect_timeout: parseDuration(push.mesh.connectTimeout),
  };
}

/** Inbound passthrough binds to 127.0.0.6 so the app sees a source the iptables rules let through. */
export function inboundPassthroughCluster(push: PushContext): object {
  return {
    name: INBOUND_PASSTHROUGH_CLUSTER,
    type: 'ORIGINAL_DST',
    lb_policy: 'CLUSTER_PROVIDED',
    connect_timeout: parseDuration(push.mesh.connectTimeout),
    upstream_bind_config: { source_address: { address: '127.0.0.6', port_value: 0 } },
  };
}

/**
 * One STATIC cluster per inbound port, to the app on loopback at the target port; HTTP/2 to the app
 * when the port is http2/grpc (Istio's setUpstreamProtocol for inbound clusters).
 */
export function inboundClusters(proxy: ProxyInfo, push: PushContext): object[] {
  return inboundPorts(proxy, push).map((p) => ({
    name: clusterName('inbound', p.port, '', p.host),
    type: 'STATIC',
    connect_timeout: parseDuration(push.mesh.connectTimeout),
    load_assignment: {
      cluster_name: clusterName('inbound', p.port, '', p.host),
      endpoints: [
        {
          lb_endpoints: [
            {
              endpoint: {
                address: { socket_address: { address: p.endpointAddress, port_value: p.endpointPort } },
              },
            },
          ],
        },
      ],
    },
    ...(isHttp2Protocol(p.protocol)
      ? {
          typed_extension_protocol_options: {
            [Types.httpProtocolOptions]: typed(Types.httpProtocolOptions, {
              explicit_http_config: { http2_protocol_options: {} },
            }),
          },
        }
      : {}),
  }));
}
