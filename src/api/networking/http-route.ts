// VirtualService HTTP routing (istio.networking.v1alpha3.HTTPRoute): match conditions, route
// destinations, redirect, direct response, delegate, rewrite, timeout, retries, fault, mirror, CORS.
import { arr, bool, duration, enumOf, int, map, obj, str, uint32, type Infer } from '../schema/dsl.js';
import { labels } from '../common.js';
import { Destination, Headers, Percent, StringMatch } from './messages.js';

export const HTTPMatchRequest = obj({
  name: str(),
  uri: StringMatch,
  scheme: StringMatch,
  method: StringMatch,
  authority: StringMatch,
  headers: map(StringMatch),
  port: uint32(),
  sourceLabels: labels(),
  gateways: arr(str()),
  queryParams: map(StringMatch),
  ignoreUriCase: bool(),
  withoutHeaders: map(StringMatch),
  sourceNamespace: str(),
  statPrefix: str(),
});
export type HTTPMatchRequest = Infer<typeof HTTPMatchRequest>;

export const HTTPRouteDestination = obj(
  { destination: Destination, weight: int(), headers: Headers },
  { required: ['destination'] },
);
export type HTTPRouteDestination = Infer<typeof HTTPRouteDestination>;

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
);
export type HTTPRedirect = Infer<typeof HTTPRedirect>;

export const HTTPDirectResponse = obj(
  { status: uint32(), body: obj({ string: str(), bytes: str() }, { oneOf: [['string', 'bytes']] }) },
  { required: ['status'] },
);
export type HTTPDirectResponse = Infer<typeof HTTPDirectResponse>;

export const Delegate = obj({ name: str(), namespace: str() });
export type Delegate = Infer<typeof Delegate>;

export const HTTPRewrite = obj({
  uri: str(),
  authority: str(),
  uriRegexRewrite: obj({ match: str(), rewrite: str() }),
});
export type HTTPRewrite = Infer<typeof HTTPRewrite>;

export const HTTPRetry = obj({
  attempts: int(),
  perTryTimeout: duration(),
  retryOn: str(),
  retryRemoteLocalities: bool(),
  retryIgnorePreviousHosts: bool(),
  backoff: duration(),
});
export type HTTPRetry = Infer<typeof HTTPRetry>;

export const HTTPFaultInjection = obj({
  delay: obj(
    { percent: int(), fixedDelay: duration(), exponentialDelay: duration(), percentage: Percent },
    { oneOf: [['fixedDelay', 'exponentialDelay']] },
  ),
  abort: obj(
    { httpStatus: int(), grpcStatus: str(), http2Error: str(), percentage: Percent },
    { oneOf: [['httpStatus', 'grpcStatus', 'http2Error']] },
  ),
});
export type HTTPFaultInjection = Infer<typeof HTTPFaultInjection>;

export const HTTPMirrorPolicy = obj(
  { destination: Destination, percentage: Percent },
  { required: ['destination'] },
);
export type HTTPMirrorPolicy = Infer<typeof HTTPMirrorPolicy>;

export const CorsPolicy = obj({
  allowOrigin: arr(str()),
  allowOrigins: arr(StringMatch),
  allowMethods: arr(str()),
  allowHeaders: arr(str()),
  exposeHeaders: arr(str()),
  maxAge: duration(),
  allowCredentials: bool(),
  unmatchedPreflights: enumOf(['UNSPECIFIED', 'FORWARD', 'IGNORE']),
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
  timeout: duration(),
  retries: HTTPRetry,
  fault: HTTPFaultInjection,
  mirror: Destination,
  mirrors: arr(HTTPMirrorPolicy),
  mirrorPercent: uint32(),
  mirrorPercentage: Percent,
  corsPolicy: CorsPolicy,
  headers: Headers,
});
export type HTTPRoute = Infer<typeof HTTPRoute>;
