// Envoy filter names, typed-config message names and small JSON builders the security translators
// share. Output uses proto field names (snake_case), the shape protobufjs fromObject and
// src/xds/proto/root.ts encode.

export type Json = Record<string, unknown>;

/** Well-known Envoy filter names (Istio pkg/wellknown). */
export const FilterName = {
  httpRbac: 'envoy.filters.http.rbac',
  networkRbac: 'envoy.filters.network.rbac',
  httpExtAuthz: 'envoy.filters.http.ext_authz',
  networkExtAuthz: 'envoy.filters.network.ext_authz',
  jwtAuthn: 'envoy.filters.http.jwt_authn',
} as const;

/** Fully qualified names of the typed configs this module emits. */
export const MessageName = {
  httpRbac: 'envoy.extensions.filters.http.rbac.v3.RBAC',
  networkRbac: 'envoy.extensions.filters.network.rbac.v3.RBAC',
  httpExtAuthz: 'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
  networkExtAuthz: 'envoy.extensions.filters.network.ext_authz.v3.ExtAuthz',
  jwtAuthn: 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
  uriTemplate: 'envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig',
  httpFilter: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
  networkFilter: 'envoy.config.listener.v3.Filter',
} as const;

/** An HCM HttpFilter or listener Filter with its typed config. */
export interface EnvoyFilter {
  name: string;
  typed_config: Json;
}

/** A google.protobuf.Any in the JSON shape protobufjs understands. */
export function typedConfig(messageName: string, value: Json): Json {
  return { '@type': `type.googleapis.com/${messageName}`, ...value };
}

export function filter(name: string, messageName: string, value: Json): EnvoyFilter {
  return { name, typed_config: typedConfig(messageName, value) };
}
