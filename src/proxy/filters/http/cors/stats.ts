// CORS stats under http.<stat_prefix>.cors. (Envoy's names).
export const CORS_COUNTERS = ['origin_valid', 'origin_invalid'] as const;
