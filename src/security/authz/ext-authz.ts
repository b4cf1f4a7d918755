// CUSTOM authorization: a MeshConfig extensionProviders entry (envoyExtAuthzHttp/Grpc) → Envoy
// ext_authz filter configs, HTTP and (gRPC only) network (Istio authz/builder/extauthz.go).
import type { MeshConfig } from '../../api/meshconfig.js';
import { parseDuration } from '../../xds/proto/duration.js';
import { protoRoot } from '../../xds/proto/root.js';
import { lookupCluster, type ServiceRef } from '../cluster-lookup.js';
import { FilterName, type Json } from '../envoy.js';
import { exactMatcher, metadataMatcher, prefixMatcher, suffixMatcher } from '../matchers.js';

type Provider = NonNullable<MeshConfig['extensionProviders']>[number];
type HttpProvider = NonNullable<Provider['envoyExtAuthzHttp']>;
type GrpcProvider = NonNullable<Provider['envoyExtAuthzGrpc']>;

/** Prefix of CUSTOM policy names in the RBAC filter; ext_authz runs when one of them matched. */
export const EXT_AUTHZ_MATCH_PREFIX = 'istio-ext-authz';
/** Stat prefix of the shadow rules whose effective policy id gates ext_authz. */
export const EXT_AUTHZ_SHADOW_STAT_PREFIX = 'istio_ext_authz_';

export interface BuiltExtAuthz {
  http: Json;
  /** Only gRPC providers have a network (TCP) ext_authz. */
  tcp?: Json;
}

const DEFAULT_TIMEOUT = { seconds: 600, nanos: 0 };

/** Which RBAC filter's shadow decision turns this provider's ext_authz on. */
export function filterEnabledMetadata(rbacFilter: string, provider: string): Json {
  return metadataMatcher(rbacFilter, [`${EXT_AUTHZ_SHADOW_STAT_PREFIX}shadow_effective_policy_id`], {
    string_match: prefixMatcher(`${EXT_AUTHZ_MATCH_PREFIX}-${provider}`),
  });
}

function checkProviderName(name: string): string[] {
  if (name.length > 63) return [`provider name too long (max 63 characters): ${name.length}`];
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name))
    return [`invalid provider name ${JSON.stringify(name)}: must be lowercase letters, digits and hyphens`];
  return [];
}

function statusOnError(status: string | undefined, errors: string[]): Json | undefined {
  if (!status) return undefined;
  const code = /^\d+$/.test(status) ? Number(status) : NaN;
  const name = protoRoot().lookupEnum('envoy.type.v3.StatusCode').valuesById[code];
  if (!name || code === 0) {
    errors.push(`unsupported statusOnError ${status}`);
    return undefined;
  }
  return { code: name };
}

/** `x-id` exact, `x-*` prefix, `*-id` suffix; all case-insensitive (header names). */
function headerPatterns(headers: readonly string[] | undefined): Json | undefined {
  if (!headers?.length) return undefined;
  return {
    patterns: headers.map((h) =>
      h.startsWith('*')
        ? suffixMatcher(h.slice(1), true)
        : h.endsWith('*')
          ? prefixMatcher(h.slice(0, -1), true)
          : exactMatcher(h, true),
    ),
  };
}

const timeout = (t: string | undefined) => (t ? parseDuration(t) : DEFAULT_TIMEOUT);

function withBody(body: HttpProvider['includeRequestBodyInCheck']): Json | undefined {
  if (!body) return undefined;
  return {
    max_request_bytes: body.maxRequestBytes ?? 0,
    allow_partial_message: body.allowPartialMessage ?? false,
    pack_as_bytes: body.packAsBytes ?? false,
  };
}

function target(p: HttpProvider | GrpcProvider, services: readonly ServiceRef[], errors: string[]) {
  const port = p.port ?? 0;
  if (port < 1 || port > 65535) errors.push(`port must be in the range [1, 65535], found: ${port}`);
  try {
    return lookupCluster(services, p.service ?? '', port);
  } catch (e) {
    errors.push((e as Error).message);
    return undefined;
  }
}

function buildHttp(name: string, p: HttpProvider, services: readonly ServiceRef[]): BuiltExtAuthz {
  const errors: string[] = [];
  const ref = target(p, services, errors);
  const status = statusOnError(p.statusOnError, errors);
  if (p.pathPrefix && !p.pathPrefix.startsWith('/'))
    errors.push(`pathPrefix must begin with \`/\`, found: ${JSON.stringify(p.pathPrefix)}`);
  for (const [field, values] of Object.entries({
    includeRequestHeadersInCheck: p.includeRequestHeadersInCheck,
    includeHeadersInCheck: p.includeHeadersInCheck,
    headersToDownstreamOnDeny: p.headersToDownstreamOnDeny,
    headersToDownstreamOnAllow: p.headersToDownstreamOnAllow,
    headersToUpstreamOnAllow: p.headersToUpstreamOnAllow,
  }))
    if (values?.includes('*'))
      errors.push(
        `a single wildcard ("*") is not supported, change it to either prefix or suffix match: ${field}`,
      );
  if (errors.length || !ref) throw new Error(errors.join('; '));

  const additional = Object.keys(p.includeAdditionalHeadersInCheck ?? {}).sort();
  const responseHeaders = [
    p.headersToUpstreamOnAllow,
    p.headersToDownstreamOnDeny,
    p.headersToDownstreamOnAllow,
  ];
  const service: Json = {
    path_prefix: p.pathPrefix ?? '',
    // Envoy requires uri and timeout; the cluster is what ext_authz actually calls.
    server_uri: { uri: `http://${ref.hostname}`, cluster: ref.cluster, timeout: timeout(p.timeout) },
    ...(additional.length && {
      authorization_request: {
        headers_to_add: additional.map((key) => ({ key, value: p.includeAdditionalHeadersInCheck![key] })),
      },
    }),
    ...(responseHeaders.some((h) => h?.length) && {
      authorization_response: {
        allowed_upstream_headers: headerPatterns(p.headersToUpstreamOnAllow),
        allowed_client_headers: headerPatterns(p.headersToDownstreamOnDeny),
        allowed_client_headers_on_success: headerPatterns(p.headersToDownstreamOnAllow),
      },
    }),
  };
  // includeHeadersInCheck is the deprecated spelling, used only without the new one.
  const allowed = headerPatterns(p.includeRequestHeadersInCheck) ?? headerPatterns(p.includeHeadersInCheck);
  return {
    http: {
      status_on_error: status,
      failure_mode_allow: p.failOpen ?? false,
      transport_api_version: 'V3',
      http_service: service,
      filter_enabled_metadata: filterEnabledMetadata(FilterName.httpRbac, name),
      with_request_body: withBody(p.includeRequestBodyInCheck),
      allowed_headers: allowed,
    },
  };
}

function buildGrpc(name: string, p: GrpcProvider, services: readonly ServiceRef[]): BuiltExtAuthz {
  const errors: string[] = [];
  const ref = target(p, services, errors);
  const status = statusOnError(p.statusOnError, errors);
  if (errors.length || !ref) throw new Error(errors.join('; '));
  const grpc = {
    envoy_grpc: { cluster_name: ref.cluster, authority: ref.hostname },
    timeout: timeout(p.timeout),
  };
  return {
    http: {
      status_on_error: status,
      failure_mode_allow: p.failOpen ?? false,
      grpc_service: grpc,
      filter_enabled_metadata: filterEnabledMetadata(FilterName.httpRbac, name),
      transport_api_version: 'V3',
      with_request_body: withBody(p.includeRequestBodyInCheck),
    },
    tcp: {
      stat_prefix: 'tcp.',
      failure_mode_allow: p.failOpen ?? false,
      transport_api_version: 'V3',
      grpc_service: grpc,
      filter_enabled_metadata: filterEnabledMetadata(FilterName.networkRbac, name),
    },
  };
}

/**
 * The ext_authz config for a provider name; throws (naming the problems) when the provider is
 * undefined, not an ext_authz provider, or invalid — callers then deny what its policies cover.
 */
export function resolveExtAuthz(
  providers: readonly Provider[],
  name: string,
  services: readonly ServiceRef[],
): BuiltExtAuthz {
  const matches = providers.filter((p) => p.name === name);
  const p = matches[0];
  if (!p || !(p.envoyExtAuthzHttp || p.envoyExtAuthzGrpc))
    throw new Error(
      `available providers are [${providers
        .filter((x) => x.envoyExtAuthzHttp || x.envoyExtAuthzGrpc)
        .map((x) => x.name)
        .join(' ')}] but found ${JSON.stringify(name)}`,
    );
  const errors = [...checkProviderName(name), ...(matches.length > 1 ? [`duplicate provider ${name}`] : [])];
  if (errors.length) throw new Error(`found errors in provider ${name}: ${errors.join('; ')}`);
  try {
    return p.envoyExtAuthzHttp
      ? buildHttp(name, p.envoyExtAuthzHttp, services)
      : buildGrpc(name, p.envoyExtAuthzGrpc!, services);
  } catch (e) {
    throw new Error(`found errors in provider ${name}: ${(e as Error).message}`, { cause: e });
  }
}
