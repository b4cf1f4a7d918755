// envoy.filters.http.fault stats under http.<stat_prefix>.fault. (Envoy ALL_FAULT_FILTER_STATS).
export const FAULT_COUNTERS = ['delays_injected', 'aborts_injected', 'faults_overflow'] as const;
export const FAULT_GAUGES = ['active_faults'] as const;
