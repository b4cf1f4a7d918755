// VirtualService corsPolicy → per-route envoy.filters.http.cors CorsPolicy (Istio translateCORSPolicy).
import type { CorsPolicy } from '../../../registry/specs.js';
import { parseDuration } from '../../proto/duration.js';
import { bool, typed, Types } from '../common.js';
import { stringMatcher } from './match.js';

export function corsFilterConfig(cors: CorsPolicy | undefined): object | undefined {
  if (!cors) return undefined;
  const origins = [
    ...(cors.allowOrigins ?? []).map(stringMatcher),
    ...(cors.allowOrigin ?? []).map((exact) => (exact === '*' ? { prefix: '' } : { exact })),
  ];
  return typed(Types.corsPolicy, {
    ...(origins.length > 0 ? { allow_origin_string_match: origins } : {}),
    ...(cors.allowMethods?.length ? { allow_methods: cors.allowMethods.join(',') } : {}),
    ...(cors.allowHeaders?.length ? { allow_headers: cors.allowHeaders.join(',') } : {}),
    ...(cors.exposeHeaders?.length ? { expose_headers: cors.exposeHeaders.join(',') } : {}),
    ...(cors.maxAge ? { max_age: String(parseDuration(cors.maxAge).seconds) } : {}),
    ...(cors.allowCredentials !== undefined ? { allow_credentials: bool(cors.allowCredentials) } : {}),
  });
}
