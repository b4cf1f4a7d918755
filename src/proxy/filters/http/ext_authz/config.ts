// envoy.extensions.filters.http.ext_authz.v3.ExtAuthz → frozen settings: the gRPC
// (envoy.service.auth.v3.Authorization/Check) or HTTP authorization service, failure mode,
// status_on_error, header allow-lists, filter_enabled_metadata; and ExtAuthzPerRoute.
import { ConfigError, durationMs, type Msg } from '../../../config/proto.js';
import { compileStringMatcher, type StringPredicate } from '../../../router/match/string.js';
import { parseGrpcService, statusCode, type GrpcAuthzService } from '../../common/ext_authz/grpc.js';
import { compileMetadataMatcher, type MetadataPredicate } from '../../common/rbac/value.js';

export type HeaderList = (name: string) => boolean;

export type AuthzService =
  | ({ readonly kind: 'grpc' } & GrpcAuthzService)
  | {
      readonly kind: 'http';
      readonly cluster: string;
      readonly authority: string;
      readonly timeoutMs: number;
      readonly pathPrefix: string;
      readonly headersToAdd: readonly (readonly [string, string])[];
      /** response headers copied onto the upstream request on OK */
      readonly upstreamHeaders: HeaderList | undefined;
      readonly upstreamHeadersToAppend: HeaderList | undefined;
      /** response headers sent to the client on denial (undefined: all) */
      readonly clientHeaders: HeaderList | undefined;
      readonly clientHeadersOnSuccess: HeaderList | undefined;
    };

export interface ExtAuthzConfig {
  readonly service: AuthzService;
  readonly failureModeAllow: boolean;
  readonly failureModeAllowHeaderAdd: boolean;
  readonly statusOnError: number;
  /** send the peer's certificate (URL-encoded PEM) in the CheckRequest */
  readonly includePeerCertificate: boolean;
  /** request headers sent to the service (undefined: gRPC all, HTTP only the always-sent ones) */
  readonly allowedHeaders: HeaderList | undefined;
  readonly enabledMetadata: MetadataPredicate | undefined;
  readonly statPrefix: string;
}

export type ExtAuthzPerRoute =
  { readonly disabled: true } | { readonly contextExtensions: Readonly<Record<string, string>> };

function headerList(m: Msg | undefined, path: string): HeaderList | undefined {
  const patterns = (m?.patterns ?? []) as Msg[];
  if (!m) return undefined;
  const ps: StringPredicate[] = patterns.map((p, i) => compileStringMatcher(p, `${path}.patterns[${i}]`));
  return (name) => ps.some((p) => p(name));
}

function parseService(c: Msg, path: string): AuthzService {
  if (c.grpc_service)
    return { kind: 'grpc', ...parseGrpcService(c.grpc_service as Msg, `${path}.grpc_service`) };
  const h = c.http_service as Msg | undefined;
  if (!h) throw new ConfigError(path, 'one of grpc_service or http_service is required');
  const p = `${path}.http_service`;
  const uri = (h.server_uri ?? {}) as Msg;
  if (!uri.cluster) throw new ConfigError(`${p}.server_uri.cluster`, 'cluster is required');
  let authority: string;
  try {
    authority = new URL(uri.uri as string).host;
  } catch {
    throw new ConfigError(`${p}.server_uri.uri`, `invalid uri "${String(uri.uri)}"`);
  }
  const req = (h.authorization_request ?? {}) as Msg;
  const res = (h.authorization_response ?? {}) as Msg;
  const r = `${p}.authorization_response`;
  return {
    kind: 'http',
    cluster: uri.cluster as string,
    authority,
    timeoutMs: durationMs(uri.timeout) ?? 200,
    pathPrefix: (h.path_prefix as string | undefined) ?? '',
    headersToAdd: ((req.headers_to_add ?? []) as Msg[]).map(
      (x) => [(x.key as string).toLowerCase(), x.value as string] as const,
    ),
    upstreamHeaders: headerList(res.allowed_upstream_headers, `${r}.allowed_upstream_headers`),
    upstreamHeadersToAppend: headerList(
      res.allowed_upstream_headers_to_append,
      `${r}.allowed_upstream_headers_to_append`,
    ),
    clientHeaders: headerList(res.allowed_client_headers, `${r}.allowed_client_headers`),
    clientHeadersOnSuccess: headerList(
      res.allowed_client_headers_on_success,
      `${r}.allowed_client_headers_on_success`,
    ),
  };
}

export function parseExtAuthz(c: Msg, path: string): ExtAuthzConfig {
  const service = parseService(c, path);
  const legacy =
    service.kind === 'http'
      ? (c.http_service?.authorization_request?.allowed_headers as Msg | undefined)
      : undefined;
  return Object.freeze({
    service,
    failureModeAllow: Boolean(c.failure_mode_allow),
    failureModeAllowHeaderAdd: Boolean(c.failure_mode_allow_header_add),
    statusOnError: statusCode(c.status_on_error?.code, 403),
    includePeerCertificate: Boolean(c.include_peer_certificate),
    allowedHeaders: headerList(c.allowed_headers ?? legacy, `${path}.allowed_headers`),
    enabledMetadata: c.filter_enabled_metadata
      ? compileMetadataMatcher(c.filter_enabled_metadata, `${path}.filter_enabled_metadata`)
      : undefined,
    statPrefix: (c.stat_prefix as string | undefined) ?? '',
  });
}

export function parseExtAuthzPerRoute(c: Msg): ExtAuthzPerRoute {
  if (c.disabled) return { disabled: true };
  return {
    contextExtensions: { ...((c.check_settings?.context_extensions ?? {}) as Record<string, string>) },
  };
}
