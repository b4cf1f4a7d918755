// envoy.filters.http.jwt_authn stats under http.<stat_prefix>.jwt_authn.[<filter stat_prefix>.]
export const JWT_AUTHN_COUNTERS = [
  'allowed',
  'denied',
  'cors_preflight_bypassed',
  'jwks_fetch_success',
  'jwks_fetch_failed',
] as const;
