// Registration of envoy.filters.http.fault (envoy.extensions.filters.http.fault.v3.HTTPFault),
// also accepted per route in typed_per_filter_config.
import { makeCounters, makeGauges } from '../../../stats/store.js';
import type { HttpFilterFactory } from '../types.js';
import { parseFault, type FaultSettings } from './config.js';
import { FAULT_FILTER_NAME, FaultFilter } from './filter.js';
import { FAULT_COUNTERS, FAULT_GAUGES } from './stats.js';

const TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

export const faultFilter = {
  name: FAULT_FILTER_NAME,
  typeUrl: TYPE_URL,
  perRouteTypeUrls: [TYPE_URL],
  parse: parseFault,
  parsePerRoute: parseFault,
  create(settings, ctx) {
    const scope = ctx.scope.child('fault');
    const shared = {
      settings,
      stats: makeCounters(scope, FAULT_COUNTERS),
      gauges: makeGauges(scope, FAULT_GAUGES),
      random: Math.random,
    };
    return () => new FaultFilter(shared);
  },
} satisfies HttpFilterFactory<FaultSettings>;
