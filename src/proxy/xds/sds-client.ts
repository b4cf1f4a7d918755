// SDS over its own stream (envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets) to the
// cluster an sds_config names — Istio's bootstrap points `sds-grpc` at the agent's UDS socket.
// The protocol is ADS's state of the world, so the ADS client runs it with the SDS method.
import type { Msg } from '../config/proto.js';
import { TypeUrl } from '../../xds/type-urls.js';
import { AdsClient, type ResourceHandler } from './ads-client.js';

const SDS_METHOD = '/envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets';

/** gRPC target of a static cluster's first endpoint: a pipe (unix socket) or host:port. */
export function clusterTarget(bootstrap: Msg, cluster: string): string {
  const c = ((bootstrap.static_resources?.clusters ?? []) as Msg[]).find((x) => x.name === cluster);
  const addr = c?.load_assignment?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address as Msg | undefined;
  if (addr?.pipe?.path) return `unix:${addr.pipe.path}`;
  const sa = addr?.socket_address;
  if (!sa) throw new Error(`sds_config: cluster ${cluster} is not a static cluster with an endpoint`);
  return `${sa.address}:${sa.port_value}`;
}

export class SdsClient {
  private readonly ads: AdsClient;

  constructor(target: string, node: Msg, handler: ResourceHandler) {
    this.ads = new AdsClient({ target, node, handler, method: SDS_METHOD });
    this.ads.start();
  }

  subscribe(names: string[]): void {
    this.ads.subscribe(TypeUrl.Secret, names);
  }

  stop(): void {
    this.ads.stop();
  }
}
