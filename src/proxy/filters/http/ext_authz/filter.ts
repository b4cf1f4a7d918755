// envoy.filters.http.ext_authz, per request: skipped when filter_enabled_metadata does not match
// (Istio's CUSTOM action keys it on RBAC's shadow result) or the route disables it; otherwise
// the check decides: OK mutates the request and continues, a denial answers with the service's
// status (403 by default), body and headers, flag UAEX; a failed check continues under
// failure_mode_allow, else answers status_on_error (flag UAEX).
import type { HeaderMap } from '../../../http/header-map.js';
import type { Counter } from '../../../stats/store.js';
import type { FilterCallbacks, FilterHeadersStatus, HttpFilter } from '../types.js';
import type { CheckResult, Header } from '../../common/ext_authz/grpc.js';
import { startCheck } from './check.js';
import type { ExtAuthzConfig, ExtAuthzPerRoute } from './config.js';
import type { EXT_AUTHZ_COUNTERS } from './stats.js';

export const EXT_AUTHZ_FILTER_NAME = 'envoy.filters.http.ext_authz';

export interface ExtAuthzShared {
  readonly config: ExtAuthzConfig;
  readonly stats: { [K in (typeof EXT_AUTHZ_COUNTERS)[number]]: Counter };
}

export class ExtAuthzFilter implements HttpFilter {
  private cancel: (() => void) | undefined;
  private responseHeaders: readonly Header[] = [];

  constructor(private readonly shared: ExtAuthzShared) {}

  decodeHeaders(cb: FilterCallbacks): FilterHeadersStatus {
    const { config } = this.shared;
    if (config.enabledMetadata && !config.enabledMetadata((f) => cb.info.dynamicMetadata.get(f)))
      return 'continue';
    const per = cb.perFilterConfig<ExtAuthzPerRoute>(EXT_AUTHZ_FILTER_NAME);
    if (per && 'disabled' in per) return 'continue';
    const check = startCheck(cb, config, per?.contextExtensions ?? {});
    this.cancel = check.cancel;
    void check.result.then((r) => {
      if (this.cancel) this.onResult(cb, r);
    });
    return 'stop';
  }

  private onResult(cb: FilterCallbacks, r: CheckResult): void {
    this.cancel = undefined;
    const { config, stats } = this.shared;
    if (r.kind === 'ok') {
      stats.ok.value++;
      const h = cb.requestHeaders;
      for (const [k, v] of r.set) h.set(k, v);
      for (const [k, v] of r.append) h.set(k, h.has(k) ? `${h.get(k)},${v}` : v);
      for (const k of r.remove) h.remove(k);
      if (r.metadata) cb.info.setDynamicMetadata(EXT_AUTHZ_FILTER_NAME, r.metadata);
      this.responseHeaders = r.responseHeaders;
      cb.continueDecoding();
      return;
    }
    if (r.kind === 'denied') {
      stats.denied.value++;
      this.responseHeaders = r.headers;
      cb.sendLocalReply(r.status, r.body, 'UAEX', 'ext_authz_denied');
      return;
    }
    stats.error.value++;
    if (config.failureModeAllow) {
      stats.failure_mode_allowed.value++;
      if (config.failureModeAllowHeaderAdd)
        cb.requestHeaders.set('x-envoy-auth-failure-mode-allowed', 'true');
      cb.continueDecoding();
      return;
    }
    cb.sendLocalReply(config.statusOnError, '', 'UAEX', 'ext_authz_error');
  }

  encodeHeaders(_cb: FilterCallbacks, _status: number, headers: HeaderMap): void {
    for (const [k, v] of this.responseHeaders) headers.set(k, v);
  }

  onDestroy(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}
