// HttpConnectionManager proto → frozen settings, parsed once per listener update. The HTTP filter
// chain is resolved through the registry by type URL; an unknown filter is an error unless
// is_optional. Route config is inline (route_config) or by name (rds).
import { ConfigError, durationMs, type Msg } from '../../../config/proto.js';
import { parseAccessLogs, type AccessLog } from '../../../access-log/logger.js';
import { parseCidr, type Cidr } from '../../../listener/cidr.js';
import { httpFilterByTypeUrl, unwrapTypedStruct } from '../../registry.js';
import type { EscapedSlashesAction, PathNormalization } from './path-normalization.js';
import type { HostNormalization } from './host-normalization.js';
import type { HttpFilterFactory } from '../../http/types.js';
import type { ListenerInfo } from '../types.js';
import { parseXfcc, type XfccConfig } from './xfcc.js';

export interface ConfiguredHttpFilter {
  /** the configured name (keys typed_per_filter_config) */
  name: string;
  factory: HttpFilterFactory;
  config: unknown;
}

export interface HcmConfig {
  readonly statPrefix: string;
  /** the listener's traffic_direction, for filters that depend on it (Istio's stats reporter) */
  readonly direction: ListenerInfo['direction'];
  readonly codec: 'AUTO' | 'HTTP1' | 'HTTP2';
  readonly rdsName: string | undefined;
  readonly inlineRoutes: Msg | undefined;
  readonly filters: readonly ConfiguredHttpFilter[];
  readonly accessLogs: readonly AccessLog[];
  readonly useRemoteAddress: boolean;
  /** internal_address_config.cidr_ranges; undefined = Envoy's legacy default (RFC 1918 + loopback) */
  readonly internalCidrs: readonly Cidr[] | undefined;
  readonly skipXffAppend: boolean;
  readonly generateRequestId: boolean;
  readonly preserveExternalRequestId: boolean;
  readonly streamIdleTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly requestHeadersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxRequestHeadersKb: number;
  readonly serverName: string;
  readonly serverHeader: 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';
  readonly upgrades: ReadonlyMap<string, boolean>;
  readonly pathNormalization: PathNormalization;
  readonly hostNormalization: HostNormalization;
  readonly xfcc: XfccConfig;
}

const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

function parseFilters(list: Msg[] | undefined, path: string): ConfiguredHttpFilter[] {
  const out: ConfiguredHttpFilter[] = [];
  (list ?? []).forEach((f, i) => {
    const p = `${path}[${i}]`;
    const any: Msg | undefined = f.typed_config && unwrapTypedStruct(f.typed_config as Msg);
    const url = any?.['@type'] as string | undefined;
    const factory = url ? httpFilterByTypeUrl(url) : undefined;
    if (!factory) {
      if (f.is_optional) return;
      throw new ConfigError(p, `unsupported HTTP filter ${url ?? f.name ?? '(no typed_config)'}`);
    }
    const { '@type': _t, ...cfg } = any!;
    out.push({
      name: (f.name as string | undefined) || factory.name,
      factory,
      config: factory.parse(cfg, `${p}.typed_config`),
    });
  });
  const last = out[out.length - 1];
  if (!last?.factory.terminal)
    throw new ConfigError(path, 'the last HTTP filter must be a terminal filter (router)');
  out.slice(0, -1).forEach((f, i) => {
    if (f.factory.terminal) throw new ConfigError(`${path}[${i}]`, 'terminal filter must be last');
  });
  return out;
}

export function parseHcm(c: Msg, path: string, listener?: ListenerInfo): HcmConfig {
  if (!c.stat_prefix) throw new ConfigError(`${path}.stat_prefix`, 'stat_prefix is required');
  let rdsName: string | undefined;
  if (c.rds) {
    rdsName = c.rds.route_config_name;
    if (!rdsName) throw new ConfigError(`${path}.rds.route_config_name`, 'route_config_name is required');
  } else if (!c.route_config) throw new ConfigError(path, 'one of route_config or rds is required');
  const filtersIn: Msg[] = c.http_filters?.length
    ? c.http_filters
    : [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }];
  const upgrades = new Map<string, boolean>();
  for (const u of (c.upgrade_configs ?? []) as Msg[])
    upgrades.set((u.upgrade_type as string).toLowerCase(), u.enabled?.value ?? true);
  const common: Msg = c.common_http_protocol_options ?? {};
  if (c.codec_type && !['AUTO', 'HTTP1', 'HTTP2'].includes(c.codec_type))
    throw new ConfigError(`${path}.codec_type`, `unsupported codec ${c.codec_type}`);
  return Object.freeze({
    statPrefix: c.stat_prefix as string,
    direction: listener?.direction ?? 'UNSPECIFIED',
    codec: (c.codec_type ?? 'AUTO') as HcmConfig['codec'],
    rdsName,
    inlineRoutes: c.route_config,
    filters: parseFilters(filtersIn, `${path}.http_filters`),
    accessLogs: parseAccessLogs(c.access_log, `${path}.access_log`),
    useRemoteAddress: Boolean(c.use_remote_address?.value),
    internalCidrs: c.internal_address_config?.cidr_ranges
      ? (c.internal_address_config.cidr_ranges as Msg[]).map((r, i) =>
          parseCidr(r, `${path}.internal_address_config.cidr_ranges[${i}]`),
        )
      : undefined,
    skipXffAppend: Boolean(c.skip_xff_append),
    generateRequestId: c.generate_request_id?.value ?? true,
    preserveExternalRequestId: Boolean(c.preserve_external_request_id),
    streamIdleTimeoutMs: durationMs(c.stream_idle_timeout) ?? 300_000,
    requestTimeoutMs: durationMs(c.request_timeout) ?? 0,
    requestHeadersTimeoutMs: durationMs(c.request_headers_timeout) ?? 0,
    idleTimeoutMs: durationMs(common.idle_timeout) ?? 3600_000,
    maxRequestHeadersKb: Number(c.max_request_headers_kb?.value ?? 60),
    serverName: (c.server_name as string | undefined) || 'envoy',
    serverHeader: (c.server_header_transformation ?? 'OVERWRITE') as HcmConfig['serverHeader'],
    upgrades,
    xfcc: parseXfcc(c, path),
    pathNormalization: Object.freeze({
      normalizePath: Boolean(c.normalize_path?.value),
      mergeSlashes: Boolean(c.merge_slashes),
      escapedSlashes: (c.path_with_escaped_slashes_action === 'IMPLEMENTATION_SPECIFIC_DEFAULT' ||
      !c.path_with_escaped_slashes_action
        ? 'KEEP_UNCHANGED'
        : c.path_with_escaped_slashes_action) as EscapedSlashesAction,
    }),
    hostNormalization: parseHostNormalization(c, path),
  });
}

function parseHostNormalization(c: Msg, path: string): HostNormalization {
  if (c.strip_matching_host_port && c.strip_any_host_port)
    throw new ConfigError(path, 'only one of strip_matching_host_port or strip_any_host_port can be set');
  return Object.freeze({
    stripTrailingDot: Boolean(c.strip_trailing_host_dot),
    stripPort: c.strip_any_host_port ? 'any' : c.strip_matching_host_port ? 'matching' : 'none',
  });
}
