// The one place that loads Envoy's .proto files (shipped by @grpc/grpc-js-xds under deps/) and
// packs/unpacks google.protobuf.Any. Everything else works with plain JSON-shaped objects.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { accessSync } from 'node:fs';
import protobuf from 'protobufjs';
import { messageName } from '../type-urls.js';

const require = createRequire(import.meta.url);
const DEPS = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

/** Include directories for Envoy, xds/udpa, googleapis and validate protos. */
export const PROTO_INCLUDE_DIRS = [
  ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(DEPS, d)),
  dirname(require.resolve('protobufjs/package.json')),
];

/** Every proto file the control plane and proxy speak: services, resources and typed configs. */
export const PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/service/secret/v3/sds.proto',
  'envoy/service/ratelimit/v3/rls.proto',
  'envoy/service/auth/v3/external_auth.proto',
  'envoy/service/status/v3/csds.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/admin/v3/config_dump.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/path/match/uri_template/v3/uri_template_match.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/ratelimit/v3/rate_limit.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/config/trace/v3/zipkin.proto',
  'envoy/config/trace/v3/opentelemetry.proto',
  'envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash.proto',
  'envoy/extensions/load_balancing_policies/maglev/v3/maglev.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/extensions/load_balancing_policies/least_request/v3/least_request.proto',
  'envoy/extensions/load_balancing_policies/random/v3/random.proto',
  'envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.proto',
  'envoy/extensions/load_balancing_policies/client_side_weighted_round_robin/v3/client_side_weighted_round_robin.proto',
  'envoy/extensions/load_balancing_policies/pick_first/v3/pick_first.proto',
  // Istio wraps the configs of its own filters (istio.stats, istio.metadata_exchange) in these.
  'udpa/type/v1/typed_struct.proto',
  'xds/type/v3/typed_struct.proto',
];

let root: protobuf.Root | undefined;

/** The loaded proto root (loaded once, synchronously, on first use). */
export function protoRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => {
    for (const dir of PROTO_INCLUDE_DIRS) {
      const p = join(dir, target);
      try {
        accessSync(p);
        return p;
      } catch {
        /* try the next include dir */
      }
    }
    return target;
  };
  r.loadSync(PROTO_FILES, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

export function lookupType(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName);
}

/** JSON-shaped object (proto field names, as in Envoy's JSON/YAML config) → message bytes. */
export function encodeMessage(fullName: string, value: object): Uint8Array {
  const t = lookupType(fullName);
  return t.encode(t.fromObject(value)).finish();
}

export const CONVERSION: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: false,
  oneofs: false,
  json: true,
};

export function decodeMessage<T = Record<string, unknown>>(fullName: string, bytes: Uint8Array): T {
  const t = lookupType(fullName);
  return t.toObject(t.decode(bytes), CONVERSION) as T;
}

export interface AnyMessage {
  type_url: string;
  value: Uint8Array;
}

/** Packs a JSON-shaped message as google.protobuf.Any. */
export function packAny(typeUrl: string, value: object): AnyMessage {
  return { type_url: typeUrl, value: encodeMessage(messageName(typeUrl), value) };
}

/** Unpacks an Any to a JSON-shaped object; throws with the type URL when unknown. */
export function unpackAny<T = Record<string, unknown>>(any: {
  type_url?: string;
  typeUrl?: string;
  value?: Uint8Array | string;
}): T {
  const url = any.type_url ?? any.typeUrl ?? '';
  const bytes =
    typeof any.value === 'string' ? Buffer.from(any.value, 'base64') : (any.value ?? new Uint8Array());
  return decodeMessage<T>(messageName(url), bytes);
}
