// stats.PluginConfig (Istio's istio.stats filter, HTTP and TCP), as Istio's control plane sends
// it inside a TypedStruct: the fields Weft implements, and an error for the rest.
import { ConfigError, durationMs, parseDurationString, type Msg } from '../../../config/proto.js';
import type { StatsPluginConfig } from './metrics.js';

export const STATS_PLUGIN_TYPE_URL = 'type.googleapis.com/stats.PluginConfig';

const DEFAULT_TCP_REPORTING_MS = 5000;

export function parseStatsPluginConfig(c: Msg, path: string): StatsPluginConfig {
  for (const k of Object.keys(c))
    if (!['disable_host_header_fallback', 'tcp_reporting_duration', 'reporter'].includes(k))
      throw new ConfigError(`${path}.${k}`, 'not supported by Weft');
  if (c.reporter !== undefined && c.reporter !== 'UNSPECIFIED')
    throw new ConfigError(`${path}.reporter`, `reporter ${String(c.reporter)} is not supported`);
  return {
    disableHostHeaderFallback: Boolean(c.disable_host_header_fallback),
    reporter: 'UNSPECIFIED',
    tcpReportingMs:
      c.tcp_reporting_duration === undefined
        ? DEFAULT_TCP_REPORTING_MS
        : durationMs(
            parseDurationString(String(c.tcp_reporting_duration), `${path}.tcp_reporting_duration`),
          )!,
  };
}
