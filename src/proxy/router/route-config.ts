// envoy.config.route.v3.RouteConfiguration compiled once into virtual hosts and routes with
// precompiled matchers (Envoy RouteMatcher → VirtualHostImpl → RouteEntry). Pure: no I/O.
import { ConfigError, durationMs, type Msg } from '../config/proto.js';
import { compileHashPolicy, type HashPolicy } from './hash-policy.js';
import { chain, compileHeaderMutation, type HeaderMutation } from './header-mutation.js';
import { compileHeaderMatcher, type RequestPredicate } from './match/header.js';
import { withoutPort } from '../http/host.js';
import { HostMatcher } from './match/host.js';
import { compilePathMatch, type PathMatch } from './match/path.js';
import { compileQueryMatcher } from './match/query.js';
import { compileRegex, type CompiledRegex } from './match/regex.js';
import type { MatchRequest, RandomSource } from './match/request.js';
import { parseMirrorPolicies, type MirrorPolicy } from './mirror.js';
import { parseRetryPolicy, type RetryPolicy } from './retry/policy.js';

export type ClusterSpecifier =
  | { kind: 'name'; name: string }
  | { kind: 'header'; header: string }
  | {
      kind: 'weighted';
      clusters: readonly {
        name: string;
        weight: number;
        requestHeaders: HeaderMutation;
        responseHeaders: HeaderMutation;
      }[];
      total: number;
    };

export type HostRewrite =
  { kind: 'literal'; value: string } | { kind: 'auto' } | { kind: 'header'; name: string };

export interface ForwardAction {
  kind: 'route';
  cluster: ClusterSpecifier;
  /** 0 disables the timeout (Envoy default 15s) */
  timeoutMs: number;
  idleTimeoutMs: number | undefined;
  prefixRewrite: string | undefined;
  regexRewrite: { re: CompiledRegex; substitution: string } | undefined;
  hostRewrite: HostRewrite | undefined;
  /** append_x_forwarded_host: record the original authority when the host is rewritten */
  appendXForwardedHost: boolean;
  hashPolicy: HashPolicy | undefined;
  /** upgrade_configs merged with the HCM's: type (lowercase) → enabled */
  upgrades: ReadonlyMap<string, boolean>;
  /** route retry_policy, else the virtual host's */
  retryPolicy: RetryPolicy | undefined;
  mirrors: readonly MirrorPolicy[];
  grpcTimeoutHeaderMaxMs: number | undefined;
}

export interface RedirectAction {
  kind: 'redirect';
  scheme: string | undefined;
  host: string | undefined;
  port: number | undefined;
  path: string | undefined;
  prefixRewrite: string | undefined;
  regexRewrite: { re: CompiledRegex; substitution: string } | undefined;
  code: number;
  stripQuery: boolean;
}

export interface DirectResponseAction {
  kind: 'direct_response';
  status: number;
  body: string | undefined;
}

export interface Route {
  readonly name: string;
  readonly path: PathMatch;
  matches(r: MatchRequest): boolean;
  readonly action: ForwardAction | RedirectAction | DirectResponseAction;
  /** route → virtual host → route configuration, in Envoy's default order */
  readonly requestHeaders: HeaderMutation;
  readonly responseHeaders: HeaderMutation;
  /** typed_per_filter_config by filter name, most specific level wins */
  readonly perFilterConfig: ReadonlyMap<string, unknown>;
  readonly virtualHost: VirtualHost;
}

export interface VirtualHost {
  readonly name: string;
  readonly routes: readonly Route[];
  readonly raw: Msg;
}

/** Parses one typed_per_filter_config entry (by its Any type URL); supplied by the filter registry. */
export type PerFilterParser = (filterName: string, any: Msg, path: string) => unknown;

const REDIRECT_CODES: Record<string, number> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10000, MILLION: 1000000 };

export interface CompileOptions {
  random: RandomSource;
  parsePerFilter: PerFilterParser;
  /** HCM upgrade_configs: type → enabled */
  hcmUpgrades: ReadonlyMap<string, boolean>;
}

export class RouteTable {
  private readonly hosts = new HostMatcher<VirtualHost>();
  readonly ignorePortInHostMatching: boolean;

  constructor(
    readonly raw: Msg,
    opts: CompileOptions,
  ) {
    this.ignorePortInHostMatching = Boolean(raw.ignore_port_in_host_matching);
    const cfgReq = compileHeaderMutation(
      raw.request_headers_to_add,
      raw.request_headers_to_remove,
      'request_headers',
    );
    const cfgResp = compileHeaderMutation(
      raw.response_headers_to_add,
      raw.response_headers_to_remove,
      'response_headers',
    );
    const cfgFilters = perFilter(raw.typed_per_filter_config, '', opts);
    const names = new Set<string>();
    ((raw.virtual_hosts ?? []) as Msg[]).forEach((vh, i) => {
      const p = `virtual_hosts[${vh.name ?? i}]`;
      if (!vh.name) throw new ConfigError(`${p}.name`, 'virtual host name is required');
      if (names.has(vh.name)) throw new ConfigError(p, `duplicate virtual host name ${vh.name}`);
      names.add(vh.name);
      if (!vh.domains?.length) throw new ConfigError(`${p}.domains`, 'at least one domain is required');
      this.hosts.add(
        vh.domains,
        compileVirtualHost(vh, p, opts, cfgReq, cfgResp, cfgFilters),
        `${p}.domains`,
      );
    });
  }

  virtualHost(authority: string): VirtualHost | undefined {
    // As Envoy: with ignore_port_in_host_matching the port is dropped before the lookup, so a
    // domain naming a port can no longer match.
    return this.hosts.find(this.ignorePortInHostMatching ? withoutPort(authority) : authority);
  }

  /** The first route of the matching virtual host whose match accepts the request. */
  route(r: MatchRequest): Route | undefined {
    const vh = this.virtualHost(r.authority);
    if (!vh) return undefined;
    for (const route of vh.routes) if (route.matches(r)) return route;
    return undefined;
  }
}

function perFilter(tpfc: Msg | undefined, path: string, opts: CompileOptions): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const [name, any] of Object.entries(tpfc ?? {}))
    m.set(name, opts.parsePerFilter(name, any as Msg, `${path}typed_per_filter_config[${name}]`));
  return m;
}

function merged(...maps: Map<string, unknown>[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const m of maps) for (const [k, v] of m) out.set(k, v);
  return out;
}

interface Inherited {
  req: HeaderMutation;
  resp: HeaderMutation;
  filters: Map<string, unknown>;
  retryPolicy: Msg | undefined;
}

function compileVirtualHost(
  vh: Msg,
  path: string,
  opts: CompileOptions,
  cfgReq: HeaderMutation,
  cfgResp: HeaderMutation,
  cfgFilters: Map<string, unknown>,
): VirtualHost {
  const parent: Inherited = {
    req: chain([
      compileHeaderMutation(
        vh.request_headers_to_add,
        vh.request_headers_to_remove,
        `${path}.request_headers`,
      ),
      cfgReq,
    ]),
    resp: chain([
      compileHeaderMutation(
        vh.response_headers_to_add,
        vh.response_headers_to_remove,
        `${path}.response_headers`,
      ),
      cfgResp,
    ]),
    filters: merged(cfgFilters, perFilter(vh.typed_per_filter_config, `${path}.`, opts)),
    retryPolicy: vh.retry_policy,
  };
  const routes: Route[] = [];
  const self: VirtualHost = { name: vh.name, routes, raw: vh };
  ((vh.routes ?? []) as Msg[]).forEach((r, i) =>
    routes.push(compileRoute(r, `${path}.routes[${i}]`, opts, self, parent)),
  );
  return self;
}

/** RouteMatch → its path match and the whole predicate (also jwt_authn requirement rules). */
export function compileMatch(
  m: Msg | undefined,
  path: string,
  random: RandomSource,
): [PathMatch, (r: MatchRequest) => boolean] {
  if (!m) throw new ConfigError(path, 'match is required');
  const pm = compilePathMatch(m, path);
  const preds: RequestPredicate[] = [];
  ((m.headers ?? []) as Msg[]).forEach((h, i) =>
    preds.push(compileHeaderMatcher(h, `${path}.headers[${i}]`)),
  );
  ((m.query_parameters ?? []) as Msg[]).forEach((q, i) =>
    preds.push(compileQueryMatcher(q, `${path}.query_parameters[${i}]`)),
  );
  if (m.grpc) preds.push((r) => (r.header('content-type') ?? '').startsWith('application/grpc'));
  if (m.runtime_fraction) {
    const d = m.runtime_fraction.default_value ?? {};
    const frac = Number(d.numerator ?? 0) / (DENOMINATORS[d.denominator ?? 'HUNDRED'] ?? 100);
    preds.push(() => random() < frac);
  }
  if (m.dynamic_metadata?.length || m.filter_state?.length)
    throw new ConfigError(path, 'dynamic_metadata and filter_state matching are not supported');
  if (preds.length === 0) return [pm, pm.matches];
  return [pm, (r) => pm.matches(r) && preds.every((p) => p(r))];
}

function rewrite(a: Msg, path: string): { re: CompiledRegex; substitution: string } | undefined {
  if (!a.regex_rewrite) return undefined;
  return {
    re: compileRegex(a.regex_rewrite.pattern, `${path}.regex_rewrite.pattern`),
    substitution: (a.regex_rewrite.substitution as string | undefined) ?? '',
  };
}

function compileForward(a: Msg, path: string, opts: CompileOptions, parent: Inherited): ForwardAction {
  let cluster: ClusterSpecifier;
  if (a.cluster) cluster = { kind: 'name', name: a.cluster };
  else if (a.cluster_header) cluster = { kind: 'header', header: (a.cluster_header as string).toLowerCase() };
  else if (a.weighted_clusters) {
    const wc = a.weighted_clusters as Msg;
    const clusters = ((wc.clusters ?? []) as Msg[]).map((c, i) => {
      const p = `${path}.weighted_clusters.clusters[${i}]`;
      if (!c.name) throw new ConfigError(`${p}.name`, 'cluster name is required');
      return {
        name: c.name as string,
        weight: Number(c.weight?.value ?? 0),
        requestHeaders: compileHeaderMutation(
          c.request_headers_to_add,
          c.request_headers_to_remove,
          `${p}.request_headers`,
        ),
        responseHeaders: compileHeaderMutation(
          c.response_headers_to_add,
          c.response_headers_to_remove,
          `${p}.response_headers`,
        ),
      };
    });
    const sum = clusters.reduce((s, c) => s + c.weight, 0);
    const total = Number(wc.total_weight?.value ?? sum);
    if (wc.total_weight && total !== sum)
      throw new ConfigError(`${path}.weighted_clusters`, `sum of weights ${sum} != total_weight ${total}`);
    if (sum === 0)
      throw new ConfigError(`${path}.weighted_clusters`, 'sum of weights must be greater than 0');
    cluster = { kind: 'weighted', clusters, total };
  } else throw new ConfigError(path, 'route needs one of cluster, cluster_header, weighted_clusters');
  let hostRewrite: HostRewrite | undefined;
  if (a.host_rewrite_literal) hostRewrite = { kind: 'literal', value: a.host_rewrite_literal };
  else if (a.auto_host_rewrite?.value) hostRewrite = { kind: 'auto' };
  else if (a.host_rewrite_header)
    hostRewrite = { kind: 'header', name: (a.host_rewrite_header as string).toLowerCase() };
  if (a.prefix_rewrite !== undefined && a.regex_rewrite)
    throw new ConfigError(path, 'prefix_rewrite and regex_rewrite are mutually exclusive');
  const upgrades = new Map(opts.hcmUpgrades);
  for (const u of (a.upgrade_configs ?? []) as Msg[])
    upgrades.set((u.upgrade_type as string).toLowerCase(), u.enabled?.value ?? true);
  return {
    kind: 'route',
    cluster,
    timeoutMs: durationMs(a.timeout) ?? 15000,
    idleTimeoutMs: durationMs(a.idle_timeout),
    prefixRewrite: a.prefix_rewrite,
    regexRewrite: rewrite(a, path),
    hostRewrite,
    appendXForwardedHost: Boolean(a.append_x_forwarded_host),
    hashPolicy: compileHashPolicy(a.hash_policy, `${path}.hash_policy`),
    upgrades,
    retryPolicy: parseRetryPolicy(a.retry_policy ?? parent.retryPolicy, `${path}.retry_policy`),
    mirrors: parseMirrorPolicies(a.request_mirror_policies, path),
    grpcTimeoutHeaderMaxMs: durationMs(a.max_stream_duration?.grpc_timeout_header_max),
  };
}

function compileRedirect(r: Msg, path: string): RedirectAction {
  return {
    kind: 'redirect',
    scheme: r.https_redirect ? 'https' : r.scheme_redirect,
    host: r.host_redirect,
    port: r.port_redirect ? Number(r.port_redirect) : undefined,
    path: r.path_redirect,
    prefixRewrite: r.prefix_rewrite,
    regexRewrite: rewrite(r, path),
    code: REDIRECT_CODES[r.response_code ?? 'MOVED_PERMANENTLY'] ?? 301,
    stripQuery: Boolean(r.strip_query),
  };
}

function compileDirect(d: Msg, path: string): DirectResponseAction {
  const status = Number(d.status);
  if (!(status >= 200 && status < 600))
    throw new ConfigError(`${path}.status`, 'status must be in [200, 600)');
  let body: string | undefined;
  if (d.body?.inline_string !== undefined) body = d.body.inline_string;
  else if (d.body?.inline_bytes !== undefined)
    body = Buffer.from(d.body.inline_bytes as string, 'base64').toString();
  else if (d.body?.filename) throw new ConfigError(`${path}.body.filename`, 'file bodies are not supported');
  return { kind: 'direct_response', status, body };
}

function compileRoute(r: Msg, path: string, opts: CompileOptions, vh: VirtualHost, parent: Inherited): Route {
  const [pm, matches] = compileMatch(r.match, `${path}.match`, opts.random);
  let action: Route['action'];
  if (r.route) action = compileForward(r.route, `${path}.route`, opts, parent);
  else if (r.redirect) action = compileRedirect(r.redirect, `${path}.redirect`);
  else if (r.direct_response) action = compileDirect(r.direct_response, `${path}.direct_response`);
  else throw new ConfigError(path, 'route needs one of route, redirect, direct_response');
  return {
    name: (r.name as string | undefined) ?? '',
    path: pm,
    matches,
    action,
    requestHeaders: chain([
      compileHeaderMutation(r.request_headers_to_add, r.request_headers_to_remove, `${path}.request_headers`),
      parent.req,
    ]),
    responseHeaders: chain([
      compileHeaderMutation(
        r.response_headers_to_add,
        r.response_headers_to_remove,
        `${path}.response_headers`,
      ),
      parent.resp,
    ]),
    perFilterConfig: merged(parent.filters, perFilter(r.typed_per_filter_config, `${path}.`, opts)),
    virtualHost: vh,
  };
}
