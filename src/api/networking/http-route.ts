// VirtualService HTTP routing (istio.networking.v1alpha3.HTTPRoute): match conditions, route
// destinations, redirect, direct response, delegate, rewrite, timeout, retries, fault, mirror, CORS.
import {
  arr,
  bool,
  enumOf,
  int,
  map,
  obj,
  parseDuration,
  str,
  uint32,
  type Infer,
  type Path,
  type Sink,
} from '../schema/dsl.js';
import { checkCorsHeaderName, checkMatchHeaderName, isAuthorityHeader } from './headers.js';
import { checkGatewayName } from './hosts.js';
import { checkStringMatch, Destination, Headers, Percent, StringMatch } from './messages.js';
import { checkRegex } from './regex.js';
import { checkLabelMap, checkPortNumber, msDuration } from './rules.js';
import { isDnsLabel } from '../common.js';
import { checkRetryOn } from './retry-on.js';

export const HTTPMatchRequest = obj({
  name: str(),
  uri: StringMatch,
  scheme: StringMatch,
  method: StringMatch,
  authority: StringMatch,
  headers: map(StringMatch),
  port: uint32(),
  sourceLabels: map(str()),
  gateways: arr(str()),
  queryParams: map(StringMatch),
  ignoreUriCase: bool(),
  withoutHeaders: map(StringMatch),
  sourceNamespace: str(),
  statPrefix: str(),
}).refine((m, path, sink) => {
  for (const [name, sm] of Object.entries(m.headers ?? {})) {
    checkMatchHeaderName(name, [...path, 'headers', name], sink);
    checkStringMatch(sm, 'headers', [...path, 'headers', name], sink);
  }
  for (const [name, sm] of Object.entries(m.withoutHeaders ?? {})) {
    checkMatchHeaderName(name, [...path, 'withoutHeaders', name], sink);
    if (sm.regex !== '*') checkStringMatch(sm, 'withoutHeaders', [...path, 'withoutHeaders', name], sink);
  }
  // Istio only checks the regex of a uri match: an empty uri prefix means "any path".
  checkStringMatch(m.uri, 'uri', [...path, 'uri'], sink, { allowEmptyPrefix: true });
  for (const f of ['scheme', 'method', 'authority'] as const) checkStringMatch(m[f], f, [...path, f], sink);
  for (const [name, sm] of Object.entries(m.queryParams ?? {}))
    checkStringMatch(sm, 'queryParams', [...path, 'queryParams', name], sink);
  if (m.port) checkPortNumber(m.port, [...path, 'port'], sink);
  checkLabelMap(m.sourceLabels, [...path, 'sourceLabels'], sink);
  (m.gateways ?? []).forEach((g, i) => checkGatewayName(g, [...path, 'gateways', i], sink));
  if (m.sourceNamespace && !isDnsLabel(m.sourceNamespace))
    sink.error([...path, 'sourceNamespace'], `sourceNamespace match ${m.sourceNamespace} is invalid`);
});
export type HTTPMatchRequest = Infer<typeof HTTPMatchRequest>;

/** A route destination's weight: Istio checks each is >= 0 (the CRD caps it at 100). */
export function checkWeight(w: number | undefined, path: Path, sink: Sink): void {
  if (w !== undefined && (w < 0 || w > 100)) sink.error(path, `weight must be in range 0..100, got ${w}`);
}

/** Weights of several destinations must add up to 100 (a single destination may omit it). */
export function checkTotalWeight(
  route: readonly { weight?: number }[] | undefined,
  path: Path,
  sink: Sink,
): void {
  if (!route || route.length < 2) return;
  const total = route.reduce((s, d) => s + (d.weight ?? 0), 0);
  if (total === 0) sink.error(path, 'total destination weight = 0');
  else if (total !== 100) sink.error(path, `total destination weight ${total} != 100`);
}

export const HTTPRouteDestination = obj(
  { destination: Destination, weight: int(), headers: Headers },
  { required: ['destination'] },
).refine((d, path, sink) => checkWeight(d.weight, [...path, 'weight'], sink));
export type HTTPRouteDestination = Infer<typeof HTTPRouteDestination>;

const isHttpStatus = (s: number): boolean => s >= 200 && s <= 599;

export const HTTPRedirect = obj(
  {
    uri: str(),
    authority: str(),
    port: uint32(),
    derivePort: enumOf(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']),
    scheme: str(),
    redirectCode: uint32(),
    prefixRewrite: str(),
  },
  { oneOf: [['port', 'derivePort']] },
).refine((r, path, sink) => {
  if (r.uri && r.prefixRewrite) sink.error(path, 'redirect may only specify one of uri or prefix_rewrite');
  if (!r.uri && !r.prefixRewrite && !r.authority && r.port === undefined && !r.derivePort && !r.scheme)
    sink.error(path, 'redirect must specify URI, authority, scheme, or port');
  if (r.redirectCode && (r.redirectCode < 300 || r.redirectCode > 399))
    sink.error([...path, 'redirectCode'], `${r.redirectCode} is not a valid redirect code, must be 3xx`);
  if (r.scheme && r.scheme !== 'http' && r.scheme !== 'https')
    sink.error([...path, 'scheme'], 'invalid redirect scheme, must be "http" or "https"');
  if (r.port) checkPortNumber(r.port, [...path, 'port'], sink);
});
export type HTTPRedirect = Infer<typeof HTTPRedirect>;

const MB = 1024 * 1024;

export const HTTPDirectResponse = obj(
  { status: uint32(), body: obj({ string: str(), bytes: str() }, { oneOf: [['string', 'bytes']] }) },
  { required: ['status'] },
).refine((r, path, sink) => {
  if (!isHttpStatus(r.status ?? 0))
    sink.error([...path, 'status'], `HTTP status ${r.status} is not in range 200-599`);
  const b = r.body;
  // bytes is base64 in protobuf JSON; its decoded size is what Envoy holds in memory.
  const size =
    b?.string !== undefined
      ? Buffer.byteLength(b.string)
      : b?.bytes
        ? Buffer.from(b.bytes, 'base64').length
        : 0;
  if (size > MB)
    sink.error(
      [...path, 'body'],
      'large direct_responses may impact control plane performance, must be less than 1MB',
    );
  else if (size > 100 * 1024)
    sink.warn([...path, 'body'], 'large direct_responses may impact control plane performance');
});
export type HTTPDirectResponse = Infer<typeof HTTPDirectResponse>;

export const Delegate = obj({ name: str(), namespace: str() });
export type Delegate = Infer<typeof Delegate>;

export const HTTPRewrite = obj({
  uri: str(),
  authority: str(),
  uriRegexRewrite: obj({ match: str(), rewrite: str() }),
}).refine((r, path, sink) => {
  if (r.uri && r.uriRegexRewrite) sink.error(path, 'rewrite may only contain one of URI or UriRegexRewrite');
  if (!r.uri && !r.uriRegexRewrite && !r.authority)
    sink.error(
      path,
      'rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified',
    );
  const rr = r.uriRegexRewrite;
  if (rr) {
    if (!rr.match || !rr.rewrite)
      sink.error(
        [...path, 'uriRegexRewrite'],
        'UriRegexRewrite has errors: UriRegexRewrite requires both Rewrite and Match fields to be specified',
      );
    else
      checkRegex(rr.match, 'HTTPRewrite.UriRegexRewrite.Match', [...path, 'uriRegexRewrite', 'match'], sink);
  }
});
export type HTTPRewrite = Infer<typeof HTTPRewrite>;

export const HTTPRetry = obj({
  attempts: int(),
  perTryTimeout: msDuration(),
  retryOn: str(),
  retryRemoteLocalities: bool(),
  retryIgnorePreviousHosts: bool(),
  backoff: msDuration(),
}).refine((r, path, sink) => {
  if ((r.attempts ?? 0) < 0) sink.error([...path, 'attempts'], 'attempts cannot be negative');
  if (!r.attempts && (r.perTryTimeout !== undefined || r.retryOn || r.retryRemoteLocalities !== undefined))
    sink.error(path, 'http retry policy configured when attempts are set to 0 (disabled)');
  if (r.retryOn) checkRetryOn(r.retryOn, [...path, 'retryOn'], sink);
});
export type HTTPRetry = Infer<typeof HTTPRetry>;

// google.rpc.Code names in code order (index = numeric code), the values Envoy's gRPC abort accepts.
export const GRPC_STATUS_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;
const GRPC_STATUS = new Set<string>(GRPC_STATUS_CODES);

export const HTTPFaultInjection = obj({
  delay: obj(
    { percent: int(), fixedDelay: msDuration(), exponentialDelay: msDuration(), percentage: Percent },
    { oneOf: [['fixedDelay', 'exponentialDelay']] },
  ).refine((d, path, sink) => {
    if (d.exponentialDelay !== undefined)
      sink.error([...path, 'exponentialDelay'], 'exponentialDelay not supported yet');
    if (d.percent !== undefined && (d.percent < 0 || d.percent > 100))
      sink.error([...path, 'percent'], `percentage ${d.percent} is not in range 0..100`);
  }),
  abort: obj(
    { httpStatus: int(), grpcStatus: str(), http2Error: str(), percentage: Percent },
    { oneOf: [['httpStatus', 'grpcStatus', 'http2Error']] },
  ).refine((a, path, sink) => {
    if (a.httpStatus !== undefined && !isHttpStatus(a.httpStatus))
      sink.error([...path, 'httpStatus'], `HTTP status ${a.httpStatus} is not in range 200-599`);
    else if (a.grpcStatus !== undefined && !GRPC_STATUS.has(a.grpcStatus))
      sink.error(
        [...path, 'grpcStatus'],
        `gRPC status "${a.grpcStatus}" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`,
      );
    else if (a.http2Error !== undefined)
      sink.error([...path, 'http2Error'], 'HTTP/2 abort fault injection not supported yet');
    else if (a.httpStatus === undefined && a.grpcStatus === undefined)
      sink.warn(path, 'abort configured, but error type not set');
  }),
}).refine((f, path, sink) => {
  if (!f.abort && !f.delay) sink.error(path, 'HTTP fault injection must have an abort and/or a delay');
});
export type HTTPFaultInjection = Infer<typeof HTTPFaultInjection>;

export const HTTPMirrorPolicy = obj(
  { destination: Destination, percentage: Percent },
  { required: ['destination'] },
);
export type HTTPMirrorPolicy = Infer<typeof HTTPMirrorPolicy>;

const CORS_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  '*',
]);

export const CorsPolicy = obj({
  allowOrigin: arr(str()),
  allowOrigins: arr(StringMatch),
  allowMethods: arr(str()),
  allowHeaders: arr(str()),
  exposeHeaders: arr(str()),
  maxAge: msDuration(),
  allowCredentials: bool(),
  unmatchedPreflights: enumOf(['UNSPECIFIED', 'FORWARD', 'IGNORE']),
}).refine((c, path, sink) => {
  if (c.allowOrigin !== undefined)
    sink.warn([...path, 'allowOrigin'], 'allowOrigin is deprecated, use allowOrigins');
  (c.allowOrigins ?? []).forEach((o, i) => {
    const p = [...path, 'allowOrigins', i];
    const value = o.exact ?? o.prefix ?? o.regex ?? '';
    if (value === '') sink.error(p, `'${value}' is not a valid match type for CORS allow origins`);
    else checkStringMatch(o, 'corsPolicy.allowOrigins', p, sink);
  });
  (c.allowMethods ?? []).forEach((m, i) => {
    if (!CORS_METHODS.has(m))
      sink.error([...path, 'allowMethods', i], `"${m}" is not a supported HTTP method`);
  });
  (c.allowHeaders ?? []).forEach((h, i) => checkCorsHeaderName(h, [...path, 'allowHeaders', i], sink));
  (c.exposeHeaders ?? []).forEach((h, i) => checkCorsHeaderName(h, [...path, 'exposeHeaders', i], sink));
  if (c.maxAge !== undefined && (parseDuration(c.maxAge) ?? 0) % 1 !== 0)
    sink.error([...path, 'maxAge'], 'max_age duration is accurate only to seconds precision');
});
export type CorsPolicy = Infer<typeof CorsPolicy>;

export const HTTPRoute = obj({
  name: str(),
  match: arr(HTTPMatchRequest),
  route: arr(HTTPRouteDestination),
  redirect: HTTPRedirect,
  directResponse: HTTPDirectResponse,
  delegate: Delegate,
  rewrite: HTTPRewrite,
  timeout: msDuration(),
  retries: HTTPRetry,
  fault: HTTPFaultInjection,
  mirror: Destination,
  mirrors: arr(HTTPMirrorPolicy),
  mirrorPercent: uint32(),
  mirrorPercentage: Percent,
  corsPolicy: CorsPolicy,
  headers: Headers,
}).refine((r, path, sink) => {
  if (r.mirrorPercent !== undefined) {
    if (r.mirrorPercent > 100)
      sink.error(
        [...path, 'mirrorPercent'],
        `mirror_percent must have a max value of 100 (it has ${r.mirrorPercent})`,
      );
    sink.warn(
      [...path, 'mirrorPercent'],
      'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead',
    );
  }
  if (r.mirror && r.mirrors?.length) sink.error(path, 'HTTP route cannot contain both mirror and mirrors');
  if (r.redirect?.prefixRewrite && r.match?.some((m) => m.uri && m.uri.prefix === undefined))
    sink.error(
      [...path, 'redirect'],
      'redirect prefix_rewrite requires all URI matches to use prefix match type',
    );
  checkAuthorityRewrite(r, path, sink);
  checkTotalWeight(r.route, [...path, 'route'], sink);
});
export type HTTPRoute = Infer<typeof HTTPRoute>;

/** The authority may be rewritten once: by rewrite.authority or one ":authority"/"host" request header. */
function checkAuthorityRewrite(r: HTTPRoute, path: Path, sink: Sink): void {
  let current = r.rewrite?.authority ?? '';
  for (const field of ['set', 'add'] as const) {
    for (const [k, v] of Object.entries(r.headers?.request?.[field] ?? {})) {
      if (!isAuthorityHeader(k)) continue;
      if (current !== '')
        sink.error(
          [...path, 'headers', 'request', field, k],
          `authority header cannot be set multiple times: have "${current}", attempting to set "${v}"`,
        );
      current = v;
    }
  }
}

/**
 * Rules that depend on where the route sits (validateHTTPRouteConflict): a root route with a
 * delegate has no route/redirect; a delegate VirtualService's routes cannot delegate again; and
 * route, redirect and directResponse exclude each other.
 */
export function checkHTTPRouteKind(r: HTTPRoute, inDelegateVS: boolean, path: Path, sink: Sink): void {
  const name = r.name ?? '';
  if (!inDelegateVS && r.delegate) {
    if (r.redirect) sink.error([...path, 'redirect'], `root HTTP route ${name} must not specify redirect`);
    if (r.route) sink.error([...path, 'route'], `root HTTP route ${name} must not specify route`);
    return;
  }
  if (inDelegateVS && r.delegate)
    sink.error([...path, 'delegate'], 'delegate HTTP route cannot contain delegate');
  const hasRoute = (r.route?.length ?? 0) > 0;
  if (r.redirect) {
    if (hasRoute) sink.error(path, 'HTTP route cannot contain both route and redirect');
    if (r.fault) sink.error(path, 'HTTP route cannot contain both fault and redirect');
    if (r.rewrite) sink.error(path, 'HTTP route rule cannot contain both rewrite and redirect');
    if (r.directResponse)
      sink.error(path, 'HTTP route rule cannot contain both direct_response and redirect');
  } else if (r.directResponse) {
    if (hasRoute) sink.error(path, 'HTTP route cannot contain both route and direct_response');
    if (r.fault) sink.error(path, 'HTTP route cannot contain both fault and direct_response');
    if (r.rewrite) sink.error(path, 'HTTP route rule cannot contain both rewrite and direct_response');
  } else if (!hasRoute) {
    sink.error(path, 'HTTP route, redirect or direct_response is required');
  }
}
