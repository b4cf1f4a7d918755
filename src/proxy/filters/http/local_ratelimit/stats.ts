// Local rate limit stats under <stat_prefix>.http_local_rate_limit. (Envoy's names).
export const LOCAL_RATE_LIMIT_COUNTERS = ['enabled', 'ok', 'rate_limited', 'enforced'] as const;
