// envoy.extensions.filters.network.ext_authz.v3.ExtAuthz → frozen settings: the gRPC
// authorization service, failure_mode_allow, include_peer_certificate, filter_enabled_metadata.
import { ConfigError, type Msg } from '../../../config/proto.js';
import { compileMetadataMatcher, type MetadataPredicate } from '../../common/rbac/value.js';
import { parseGrpcService, type GrpcAuthzService } from '../../common/ext_authz/grpc.js';

export interface NetworkExtAuthzConfig {
  readonly statPrefix: string;
  readonly service: GrpcAuthzService;
  readonly failureModeAllow: boolean;
  readonly includePeerCertificate: boolean;
  /** the check runs only when the connection's dynamic metadata matches (unset: always) */
  readonly enabledMetadata: MetadataPredicate | undefined;
}

export function parseNetworkExtAuthz(c: Msg, path: string): NetworkExtAuthzConfig {
  if (!c.stat_prefix) throw new ConfigError(`${path}.stat_prefix`, 'stat_prefix is required');
  if (!c.grpc_service) throw new ConfigError(`${path}.grpc_service`, 'grpc_service is required');
  return Object.freeze({
    statPrefix: c.stat_prefix as string,
    service: parseGrpcService(c.grpc_service as Msg, `${path}.grpc_service`),
    failureModeAllow: Boolean(c.failure_mode_allow),
    includePeerCertificate: Boolean(c.include_peer_certificate),
    enabledMetadata: c.filter_enabled_metadata
      ? compileMetadataMatcher(c.filter_enabled_metadata, `${path}.filter_enabled_metadata`)
      : undefined,
  });
}
