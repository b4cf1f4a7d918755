// VirtualService HTTPMatchRequest → Envoy RouteMatch (Istio core/route TranslateRouteMatch), and
// which match conditions apply to a given proxy and port (port, sourceLabels, gateways, sourceNamespace).
import type { ProxyInfo } from '../../contracts.js';
import type { HTTPMatchRequest, StringMatch } from '../../../registry/specs.js';
import { labelsMatch } from '../../../registry/model.js';
import { bool } from '../common.js';

/** Where routes are being built: the proxy, the listener port and the gateways it acts as. */
export interface RouteScope {
  proxy: ProxyInfo;
  port: number;
  /** ['mesh'] for sidecars, ['ns/name', …] for a gateway. */
  gateways: readonly string[];
}

/** Whether a match's workload/port conditions hold for this proxy (the request-time ones are Envoy's job). */
export function matchApplies(
  m:
    | HTTPMatchRequest
    | { port?: number; sourceLabels?: Record<string, string>; gateways?: string[]; sourceNamespace?: string },
  scope: RouteScope,
): boolean {
  if (m.port && m.port !== scope.port) return false;
  if (m.sourceLabels && !labelsMatch(m.sourceLabels, scope.proxy.labels)) return false;
  if (m.gateways?.length && !m.gateways.some((g) => scope.gateways.includes(g))) return false;
  if (m.sourceNamespace && m.sourceNamespace !== scope.proxy.namespace) return false;
  return true;
}

/** Envoy StringMatcher for an Istio StringMatch. */
export function stringMatcher(s: StringMatch): object {
  if (s.exact !== undefined) return { exact: s.exact };
  if (s.prefix !== undefined) return { prefix: s.prefix };
  return { safe_regex: { regex: s.regex ?? '.*' } };
}

function isPresence(s: StringMatch): boolean {
  return (s.exact === undefined && s.prefix === undefined && s.regex === undefined) || s.exact === '';
}

function headerMatcher(name: string, s: StringMatch, invert: boolean): object {
  const m = isPresence(s) ? { present_match: true } : { string_match: stringMatcher(s) };
  return { name, ...m, ...(invert ? { invert_match: true } : {}) };
}

export function routeMatch(m: HTTPMatchRequest | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const uri = m?.uri;
  if (uri?.exact !== undefined) out.path = uri.exact;
  else if (uri?.regex !== undefined) out.safe_regex = { regex: uri.regex };
  else out.prefix = uri?.prefix ?? '/';
  if (m?.ignoreUriCase) out.case_sensitive = bool(false);
  const headers: object[] = [];
  if (m?.scheme) headers.push(headerMatcher(':scheme', m.scheme, false));
  if (m?.method) headers.push(headerMatcher(':method', m.method, false));
  if (m?.authority) headers.push(headerMatcher(':authority', m.authority, false));
  for (const [name, s] of Object.entries(m?.headers ?? {})) headers.push(headerMatcher(name, s, false));
  for (const [name, s] of Object.entries(m?.withoutHeaders ?? {})) headers.push(headerMatcher(name, s, true));
  if (headers.length > 0) out.headers = headers;
  const query = Object.entries(m?.queryParams ?? {}).map(([name, s]) =>
    isPresence(s) ? { name, present_match: true } : { name, string_match: stringMatcher(s) },
  );
  if (query.length > 0) out.query_parameters = query;
  return out;
}
