// envoy.filters.http.ext_authz stats under http.<stat_prefix>.ext_authz.[<filter stat_prefix>.]
export const EXT_AUTHZ_COUNTERS = ['ok', 'denied', 'error', 'disabled', 'failure_mode_allowed'] as const;
