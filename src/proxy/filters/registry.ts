// Every filter Weft implements, by kind, keyed by full type URL (the one place to add a filter).
// A duplicate URL throws at startup. Per-route configs are found by their own type URLs.
import { ConfigError, structToPlain, type Msg } from '../config/proto.js';
import { corsFilter } from './http/cors/index.js';
import { extAuthzFilter } from './http/ext_authz/index.js';
import { faultFilter } from './http/fault/index.js';
import { istioStatsFilter } from './http/istio_stats/index.js';
import { jwtAuthnFilter } from './http/jwt_authn/index.js';
import { localRateLimitFilter } from './http/local_ratelimit/index.js';
import { peerMetadataFilter } from './http/peer_metadata/index.js';
import { rbacFilter } from './http/rbac/index.js';
import { routerFilter } from './http/router/index.js';
import type { HttpFilterFactory } from './http/types.js';
import { httpInspectorFilter } from './listener/http_inspector/index.js';
import { originalDstFilter } from './listener/original_dst/index.js';
import { tlsInspectorFilter } from './listener/tls_inspector/index.js';
import type { ListenerFilterFactory } from './listener/types.js';
import { networkExtAuthzFilter } from './network/ext_authz/index.js';
import { httpConnectionManagerFilter } from './network/http_connection_manager/index.js';
import { istioTcpStatsFilter } from './network/istio_stats/index.js';
import { networkRbacFilter } from './network/rbac/index.js';
import { tcpProxyFilter } from './network/tcp_proxy/index.js';
import type { NetworkFilterFactory, ReadFilterFactory } from './network/types.js';

const HTTP_FILTERS: readonly HttpFilterFactory<any>[] = [
  corsFilter,
  extAuthzFilter,
  faultFilter,
  istioStatsFilter,
  jwtAuthnFilter,
  localRateLimitFilter,
  peerMetadataFilter,
  rbacFilter,
  routerFilter,
];
const NETWORK_FILTERS: readonly (NetworkFilterFactory<any> | ReadFilterFactory<any>)[] = [
  httpConnectionManagerFilter,
  networkExtAuthzFilter,
  istioTcpStatsFilter,
  networkRbacFilter,
  tcpProxyFilter,
];
const LISTENER_FILTERS: readonly ListenerFilterFactory<any>[] = [
  httpInspectorFilter,
  originalDstFilter,
  tlsInspectorFilter,
];

function byUrl<T extends { typeUrl: string }>(list: readonly T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const f of list) {
    if (m.has(f.typeUrl)) throw new Error(`duplicate filter registration for ${f.typeUrl}`);
    m.set(f.typeUrl, f);
  }
  return m;
}

const http = byUrl(HTTP_FILTERS);
const network = byUrl(NETWORK_FILTERS);
const listener = byUrl(LISTENER_FILTERS);
const perRoute = new Map<string, HttpFilterFactory<any>>();
for (const f of HTTP_FILTERS)
  for (const u of f.perRouteTypeUrls ?? []) {
    if (perRoute.has(u)) throw new Error(`duplicate per-route registration for ${u}`);
    perRoute.set(u, f);
  }

export function httpFilterByTypeUrl(url: string): HttpFilterFactory | undefined {
  return http.get(url) as HttpFilterFactory | undefined;
}

export function networkFilterByTypeUrl(url: string): NetworkFilterFactory | ReadFilterFactory | undefined {
  return network.get(url) as NetworkFilterFactory | ReadFilterFactory | undefined;
}

export function listenerFilterByTypeUrl(url: string): ListenerFilterFactory | undefined {
  return listener.get(url) as ListenerFilterFactory | undefined;
}

const TYPED_STRUCTS = new Set([
  'type.googleapis.com/udpa.type.v1.TypedStruct',
  'type.googleapis.com/xds.type.v3.TypedStruct',
]);

/**
 * A TypedStruct-wrapped config (how Istio configures filters whose protos Envoy's API does not
 * ship, e.g. stats.PluginConfig) → the same shape as a decoded Any of its inner type_url.
 */
export function unwrapTypedStruct(any: Msg): Msg {
  if (!TYPED_STRUCTS.has(any['@type'] as string)) return any;
  const url = String(any.type_url ?? '');
  return {
    ...(structToPlain(any.value) as Msg),
    '@type': url.includes('/') ? url : `type.googleapis.com/${url}`,
  };
}

const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

/** typed_per_filter_config entry → the owning filter's parsed per-route config. */
export function parsePerFilterConfig(name: string, any: Msg, path: string): unknown {
  let cfg = any;
  let optional = false;
  if (cfg['@type'] === FILTER_CONFIG) {
    optional = Boolean(cfg.is_optional);
    if (cfg.disabled) return { disabled: true };
    cfg = cfg.config ?? {};
  }
  const url = cfg['@type'] as string;
  const f = perRoute.get(url);
  if (!f?.parsePerRoute) {
    if (optional) return undefined;
    throw new ConfigError(path, `no filter accepts per-route config ${url} (filter ${name})`);
  }
  const { '@type': _t, ...rest } = cfg;
  return f.parsePerRoute(rest, path);
}
