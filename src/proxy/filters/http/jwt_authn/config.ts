// envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication → frozen settings: providers
// (issuer, audiences, JWKS source, token locations, what to forward and publish), requirement
// rules matched like routes, the requirement map, and the per-route JwtPerRoute override.
import { ConfigError, durationMs, type Msg } from '../../../config/proto.js';
import type { MatchRequest } from '../../../router/match/request.js';
import { compileMatch } from '../../../router/route-config.js';
import { compileStringMatcher, type StringPredicate } from '../../../router/match/string.js';

export type TokenLocation =
  | { readonly kind: 'header'; readonly name: string; readonly prefix: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'cookie'; readonly name: string };

export type JwksConfig =
  | { readonly kind: 'local'; readonly jwks: string }
  | {
      readonly kind: 'remote';
      readonly cluster: string;
      readonly authority: string;
      readonly path: string;
      readonly timeoutMs: number;
      readonly cacheMs: number;
      /** fetch when the listener is created rather than on the first request */
      readonly asyncFetch: boolean;
    };

export interface JwtProvider {
  readonly name: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly subjects: StringPredicate | undefined;
  readonly requireExpiration: boolean;
  readonly maxLifetimeS: number | undefined;
  readonly clockSkewS: number;
  readonly jwks: JwksConfig;
  readonly locations: readonly TokenLocation[];
  readonly forward: boolean;
  readonly forwardPayloadHeader: string;
  readonly padForwardPayloadHeader: boolean;
  readonly payloadInMetadata: string;
  readonly headerInMetadata: string;
  readonly spaceDelimitedClaims: ReadonlySet<string>;
  readonly claimToHeaders: readonly { readonly header: string; readonly claim: string }[];
  readonly clearRouteCache: boolean;
}

export type Requirement =
  | {
      readonly kind: 'provider';
      readonly provider: JwtProvider;
      readonly audiences: readonly string[] | undefined;
    }
  | { readonly kind: 'any' | 'all'; readonly list: readonly Requirement[] }
  | { readonly kind: 'allow_missing' | 'allow_missing_or_failed' };

export interface RequirementRule {
  readonly matches: (r: MatchRequest) => boolean;
  /** undefined: requests matching this rule are not verified */
  readonly requirement: Requirement | undefined;
}

export interface JwtAuthnConfig {
  readonly providers: ReadonlyMap<string, JwtProvider>;
  readonly rules: readonly RequirementRule[];
  readonly requirementMap: ReadonlyMap<string, Requirement>;
  readonly bypassCorsPreflight: boolean;
  readonly stripFailureResponse: boolean;
  readonly statPrefix: string;
}

export type JwtPerRoute = { readonly disabled: true } | { readonly requirementName: string };

// Envoy's default token locations when a provider names none.
const DEFAULT_LOCATIONS: readonly TokenLocation[] = [
  { kind: 'header', name: 'authorization', prefix: 'Bearer ' },
  { kind: 'param', name: 'access_token' },
];
const DEFAULT_CACHE_MS = 600_000;

function dataSource(d: Msg | undefined, path: string): string {
  if (d?.inline_string !== undefined) return d.inline_string as string;
  if (d?.inline_bytes !== undefined) return Buffer.from(d.inline_bytes as string, 'base64').toString();
  throw new ConfigError(path, 'local_jwks needs inline_string or inline_bytes');
}

function parseJwks(p: Msg, path: string): JwksConfig {
  if (p.local_jwks) return { kind: 'local', jwks: dataSource(p.local_jwks, `${path}.local_jwks`) };
  const r = p.remote_jwks as Msg | undefined;
  if (!r) throw new ConfigError(path, 'one of local_jwks or remote_jwks is required');
  const h = (r.http_uri ?? {}) as Msg;
  if (!h.cluster) throw new ConfigError(`${path}.remote_jwks.http_uri.cluster`, 'cluster is required');
  let url: URL;
  try {
    url = new URL(h.uri as string);
  } catch {
    throw new ConfigError(`${path}.remote_jwks.http_uri.uri`, `invalid uri "${String(h.uri)}"`);
  }
  return {
    kind: 'remote',
    cluster: h.cluster as string,
    authority: url.host,
    path: `${url.pathname}${url.search}`,
    timeoutMs: durationMs(h.timeout) ?? 1000,
    cacheMs: durationMs(r.cache_duration) ?? DEFAULT_CACHE_MS,
    asyncFetch: r.async_fetch !== undefined,
  };
}

function parseLocations(p: Msg): TokenLocation[] {
  const out: TokenLocation[] = [
    ...((p.from_headers ?? []) as Msg[]).map((h) => ({
      kind: 'header' as const,
      name: (h.name as string).toLowerCase(),
      prefix: (h.value_prefix as string | undefined) ?? '',
    })),
    ...((p.from_params ?? []) as string[]).map((name) => ({ kind: 'param' as const, name })),
    ...((p.from_cookies ?? []) as string[]).map((name) => ({ kind: 'cookie' as const, name })),
  ];
  return out.length ? out : [...DEFAULT_LOCATIONS];
}

function parseProvider(name: string, p: Msg, path: string): JwtProvider {
  return Object.freeze({
    name,
    issuer: (p.issuer as string | undefined) ?? '',
    audiences: (p.audiences ?? []) as string[],
    subjects: p.subjects ? compileStringMatcher(p.subjects, `${path}.subjects`) : undefined,
    requireExpiration: Boolean(p.require_expiration),
    maxLifetimeS: p.max_lifetime ? (durationMs(p.max_lifetime) ?? 0) / 1000 : undefined,
    clockSkewS: p.clock_skew_seconds !== undefined ? Number(p.clock_skew_seconds) : 60,
    jwks: parseJwks(p, path),
    locations: parseLocations(p),
    forward: Boolean(p.forward),
    forwardPayloadHeader: ((p.forward_payload_header as string | undefined) ?? '').toLowerCase(),
    padForwardPayloadHeader: Boolean(p.pad_forward_payload_header),
    payloadInMetadata: (p.payload_in_metadata as string | undefined) ?? '',
    headerInMetadata: (p.header_in_metadata as string | undefined) ?? '',
    spaceDelimitedClaims: new Set(
      (p.normalize_payload_in_metadata?.space_delimited_claims ?? []) as string[],
    ),
    claimToHeaders: ((p.claim_to_headers ?? []) as Msg[]).map((c) => ({
      header: (c.header_name as string).toLowerCase(),
      claim: c.claim_name as string,
    })),
    clearRouteCache: Boolean(p.clear_route_cache),
  });
}

function parseRequirement(r: Msg, path: string, providers: ReadonlyMap<string, JwtProvider>): Requirement {
  const provider = (name: string, p: string): JwtProvider => {
    const found = providers.get(name);
    if (!found) throw new ConfigError(p, `unknown provider "${name}"`);
    return found;
  };
  if (r.provider_name)
    return {
      kind: 'provider',
      provider: provider(r.provider_name, `${path}.provider_name`),
      audiences: undefined,
    };
  if (r.provider_and_audiences) {
    const pa = r.provider_and_audiences as Msg;
    const p = `${path}.provider_and_audiences`;
    return {
      kind: 'provider',
      provider: provider(pa.provider_name, `${p}.provider_name`),
      audiences: pa.audiences ?? [],
    };
  }
  for (const kind of ['any', 'all'] as const) {
    const list = r[`requires_${kind}`] as Msg | undefined;
    if (list) {
      const p = `${path}.requires_${kind}.requirements`;
      return {
        kind,
        list: ((list.requirements ?? []) as Msg[]).map((x, i) =>
          parseRequirement(x, `${p}[${i}]`, providers),
        ),
      };
    }
  }
  if (r.allow_missing) return { kind: 'allow_missing' };
  if (r.allow_missing_or_failed) return { kind: 'allow_missing_or_failed' };
  throw new ConfigError(
    path,
    'requirement needs one of provider_name, requires_any, requires_all, allow_missing…',
  );
}

export function parseJwtAuthn(c: Msg, path: string): JwtAuthnConfig {
  const providers = new Map<string, JwtProvider>();
  for (const [name, p] of Object.entries((c.providers ?? {}) as Record<string, Msg>))
    providers.set(name, parseProvider(name, p, `${path}.providers[${name}]`));
  const requirementMap = new Map<string, Requirement>();
  for (const [name, r] of Object.entries((c.requirement_map ?? {}) as Record<string, Msg>))
    requirementMap.set(name, parseRequirement(r, `${path}.requirement_map[${name}]`, providers));
  if (c.filter_state_rules)
    throw new ConfigError(`${path}.filter_state_rules`, 'filter_state_rules are not supported');
  const rules = ((c.rules ?? []) as Msg[]).map((r, i): RequirementRule => {
    const p = `${path}.rules[${i}]`;
    const [, matches] = compileMatch(r.match, `${p}.match`, Math.random);
    let requirement: Requirement | undefined;
    // An empty requirement means no verification, as in Envoy.
    if (r.requires && Object.keys(r.requires).length)
      requirement = parseRequirement(r.requires, `${p}.requires`, providers);
    else if (r.requirement_name) {
      requirement = requirementMap.get(r.requirement_name);
      if (!requirement)
        throw new ConfigError(`${p}.requirement_name`, `unknown requirement "${r.requirement_name}"`);
    }
    return { matches, requirement };
  });
  return Object.freeze({
    providers,
    rules,
    requirementMap,
    bypassCorsPreflight: Boolean(c.bypass_cors_preflight),
    stripFailureResponse: Boolean(c.strip_failure_response),
    statPrefix: (c.stat_prefix as string | undefined) ?? '',
  });
}

export function parseJwtPerRoute(c: Msg, path: string): JwtPerRoute {
  if (c.disabled) return { disabled: true };
  if (!c.requirement_name) throw new ConfigError(path, 'one of disabled or requirement_name is required');
  return { requirementName: c.requirement_name as string };
}
