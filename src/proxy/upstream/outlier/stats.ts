// Outlier detection stats under cluster.<name>.outlier_detection. (Envoy ALL_OUTLIER_DETECTION_STATS
// for the consecutive detectors, including the deprecated ejections_total/ejections_consecutive_5xx).
export const OUTLIER_COUNTERS = [
  'ejections_enforced_total',
  'ejections_overflow',
  'ejections_total',
  'ejections_consecutive_5xx',
  'ejections_detected_consecutive_5xx',
  'ejections_enforced_consecutive_5xx',
  'ejections_detected_consecutive_gateway_failure',
  'ejections_enforced_consecutive_gateway_failure',
  'ejections_detected_consecutive_local_origin_failure',
  'ejections_enforced_consecutive_local_origin_failure',
  'ejections_success_rate',
  'ejections_detected_success_rate',
  'ejections_enforced_success_rate',
  'ejections_detected_failure_percentage',
  'ejections_enforced_failure_percentage',
] as const;

export const OUTLIER_GAUGES = ['ejections_active'] as const;
