// http.<stat_prefix>.* names, as Envoy's ALL_HTTP_CONN_MAN_STATS.
export const HCM_COUNTERS = [
  'downstream_cx_total',
  'downstream_cx_http1_total',
  'downstream_cx_http2_total',
  'downstream_cx_upgrades_total',
  'downstream_cx_destroy',
  'downstream_cx_destroy_remote',
  'downstream_cx_idle_timeout',
  'downstream_rq_total',
  'downstream_rq_http1_total',
  'downstream_rq_http2_total',
  'downstream_rq_completed',
  'downstream_rq_idle_timeout',
  'downstream_rq_timeout',
  'downstream_rq_header_timeout',
  'downstream_rq_rx_reset',
  'downstream_rq_tx_reset',
  'downstream_rq_ws_on_non_ws_route',
  'downstream_rq_non_relative_path',
  'no_route',
  'no_cluster',
  'rq_direct_response',
  'rq_redirect',
] as const;

export const HCM_GAUGES = [
  'downstream_cx_active',
  'downstream_cx_http1_active',
  'downstream_cx_http2_active',
  'downstream_cx_upgrades_active',
  'downstream_rq_active',
] as const;
