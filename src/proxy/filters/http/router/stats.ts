// Router stats under http.<stat_prefix>. (Envoy's router filter stats).
export const ROUTER_COUNTERS = [
  'no_route',
  'no_cluster',
  'rq_redirect',
  'rq_direct_response',
  'rq_total',
  'rq_reset_after_downstream_response_started',
] as const;
