// VirtualService http routes → Envoy routes (Istio core/route BuildHTTPRoutesForVirtualService):
// one Envoy route per applicable match, with destination clusters, redirect, direct response,
// rewrite, timeout, retries, mirrors, fault, CORS, header mutations and consistent-hash policy.
import type { Destination, HTTPRoute } from '../../../registry/specs.js';
import type { PushContext, VirtualServiceConfig } from '../../push-context.js';
import { parseDuration } from '../../proto/duration.js';
import { clusterName, Filters, fractionalPercent, u32 } from '../common.js';
import { hashPolicy } from '../cluster/load-balancer.js';
import { effectivePolicy } from '../cluster/policy.js';
import { corsFilterConfig } from './cors.js';
import { faultFilterConfig } from './fault.js';
import { headerMutations } from './headers.js';
import { matchApplies, routeMatch, type RouteScope } from './match.js';
import { retryPolicy } from './retry.js';

const REDIRECT_CODES: Record<number, string> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

const ZERO = { seconds: 0, nanos: 0 };

export interface TranslateOptions {
  /** Proxyless gRPC clients ignore Envoy-only fields; keep routes minimal for them. */
  proxyless?: boolean;
}

/** The cluster a destination names, with Istio's port defaulting (explicit, single port, listener port). */
export function destinationCluster(push: PushContext, d: Destination, listenerPort: number): string {
  const svc = push.service(d.host);
  const port = d.port?.number ?? (svc?.ports.length === 1 ? svc.ports[0]!.port : listenerPort);
  return clusterName('outbound', port, d.subset ?? '', d.host);
}

export function translateVirtualService(
  vs: VirtualServiceConfig,
  scope: RouteScope,
  push: PushContext,
  opts: TranslateOptions = {},
): object[] {
  const out: object[] = [];
  for (const http of vs.spec.http ?? []) {
    const matches = http.match?.length ? http.match.filter((m) => matchApplies(m, scope)) : [undefined];
    if (matches.length === 0) continue;
    const action = routeAction(http, scope, push, opts);
    for (const m of matches) {
      const name = [http.name, m?.name].filter(Boolean).join('.');
      out.push({ ...(name ? { name } : {}), match: routeMatch(m), ...action });
    }
  }
  return out;
}

/** The route for a service without a VirtualService. */
export function defaultRoute(push: PushContext, scope: RouteScope, host: string, port: number): object {
  const cluster = clusterName('outbound', port, '', host);
  const hash = hashPolicy(effectivePolicy(push.destinationRule(scope.proxy, host)?.spec, port).loadBalancer);
  return {
    name: 'default',
    match: { prefix: '/' },
    route: {
      cluster,
      timeout: ZERO,
      retry_policy: retryPolicy(undefined),
      ...(hash ? { hash_policy: hash } : {}),
    },
  };
}

function routeAction(
  http: HTTPRoute,
  scope: RouteScope,
  push: PushContext,
  opts: TranslateOptions,
): Record<string, unknown> {
  const perFilter: Record<string, object> = {};
  const fault = faultFilterConfig(http.fault);
  if (fault) perFilter[Filters.fault] = fault;
  const cors = opts.proxyless ? undefined : corsFilterConfig(http.corsPolicy);
  if (cors) perFilter[Filters.cors] = cors;
  const common = {
    ...headerMutations(http.headers, http),
    ...(Object.keys(perFilter).length > 0 ? { typed_per_filter_config: perFilter } : {}),
  };
  if (http.redirect) return { redirect: redirect(http.redirect), ...common };
  if (http.directResponse) {
    const body = http.directResponse.body;
    return {
      direct_response: {
        status: http.directResponse.status,
        ...(body?.string !== undefined
          ? { body: { inline_string: body.string } }
          : body?.bytes !== undefined
            ? { body: { inline_bytes: body.bytes } }
            : {}),
      },
      ...common,
    };
  }
  const dests = (http.route ?? []).filter((d) => d.weight === undefined || d.weight > 0);
  const action: Record<string, unknown> = {};
  let routeHeaders: Record<string, unknown> = {};
  if (dests.length === 1) {
    action.cluster = destinationCluster(push, dests[0]!.destination, scope.port);
    routeHeaders = headerMutations(dests[0]!.headers);
  } else {
    action.weighted_clusters = {
      clusters: dests.map((d) => ({
        name: destinationCluster(push, d.destination, scope.port),
        weight: u32(d.weight ?? Math.floor(100 / dests.length)),
        ...headerMutations(d.headers),
      })),
    };
  }
  action.timeout = http.timeout ? parseDuration(http.timeout) : ZERO;
  const retry = retryPolicy(http.retries);
  if (retry) action.retry_policy = retry;
  const mirrors = mirrorPolicies(http, push, scope.port);
  if (mirrors.length > 0) action.request_mirror_policies = mirrors;
  if (http.rewrite?.uri !== undefined) action.prefix_rewrite = http.rewrite.uri;
  if (http.rewrite?.uriRegexRewrite)
    action.regex_rewrite = {
      pattern: { regex: http.rewrite.uriRegexRewrite.match },
      substitution: http.rewrite.uriRegexRewrite.rewrite,
    };
  if (http.rewrite?.authority) action.host_rewrite_literal = http.rewrite.authority;
  const hash = dests
    .map((d) =>
      hashPolicy(
        effectivePolicy(
          push.destinationRule(scope.proxy, d.destination.host)?.spec,
          destPort(push, d.destination, scope.port),
          d.destination.subset,
        ).loadBalancer,
      ),
    )
    .find((h) => h !== undefined);
  if (hash) action.hash_policy = hash;
  return { route: action, ...mergeHeaderFields(common, routeHeaders) };
}

function destPort(push: PushContext, d: Destination, listenerPort: number): number {
  return Number(destinationCluster(push, d, listenerPort).split('|')[1]);
}

function mergeHeaderFields(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] = Array.isArray(out[k]) ? [...(out[k] as unknown[]), ...(v as unknown[])] : v;
  return out;
}

function mirrorPolicies(http: HTTPRoute, push: PushContext, port: number): object[] {
  const out: object[] = [];
  if (http.mirror) {
    const pct = http.mirrorPercentage?.value ?? http.mirrorPercent ?? 100;
    out.push({
      cluster: destinationCluster(push, http.mirror, port),
      runtime_fraction: { default_value: fractionalPercent(pct) },
    });
  }
  for (const m of http.mirrors ?? [])
    out.push({
      cluster: destinationCluster(push, m.destination, port),
      runtime_fraction: { default_value: fractionalPercent(m.percentage?.value ?? 100) },
    });
  return out;
}

function redirect(r: NonNullable<HTTPRoute['redirect']>): object {
  const out: Record<string, unknown> = {};
  if (r.uri) out.path_redirect = r.uri;
  if (r.authority) out.host_redirect = r.authority;
  if (r.scheme) out.scheme_redirect = r.scheme;
  if (r.port) out.port_redirect = r.port;
  else if (r.derivePort === 'FROM_PROTOCOL_DEFAULT') out.port_redirect = r.scheme === 'https' ? 443 : 80;
  out.response_code = REDIRECT_CODES[r.redirectCode ?? 301] ?? 'MOVED_PERMANENTLY';
  return out;
}
