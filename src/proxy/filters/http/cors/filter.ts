// envoy.filters.http.cors, per request: with the route's CORS policy and an allowed Origin, a
// preflight (OPTIONS with Access-Control-Request-Method) is answered locally with 200 and the
// allow-* headers; any other request is forwarded and its response gets allow-origin,
// allow-credentials and expose-headers.
import { HeaderMap } from '../../../http/header-map.js';
import type { Counter } from '../../../stats/store.js';
import type { FilterCallbacks, FilterHeadersStatus, HttpFilter } from '../types.js';
import { originAllowed, type CorsSettings } from './config.js';
import type { CORS_COUNTERS } from './stats.js';

export const CORS_FILTER_NAME = 'envoy.filters.http.cors';

export interface CorsShared {
  readonly stats: { [K in (typeof CORS_COUNTERS)[number]]: Counter };
  readonly random: () => number;
}

export class CorsFilter implements HttpFilter {
  /** the policy and origin of a CORS request whose response needs the headers */
  private policy: CorsSettings | undefined;
  private origin = '';

  constructor(private readonly shared: CorsShared) {}

  decodeHeaders(cb: FilterCallbacks): FilterHeadersStatus {
    const s = cb.perFilterConfig<CorsSettings | { disabled: true }>(CORS_FILTER_NAME);
    if (!s || 'disabled' in s || !(s.enabled >= 1 || this.shared.random() < s.enabled)) return 'continue';
    const origin = cb.requestHeaders.get('origin');
    if (!origin) return 'continue';
    if (!originAllowed(s, origin)) {
      this.shared.stats.origin_invalid.value++;
      return 'continue';
    }
    this.shared.stats.origin_valid.value++;
    const preflight = cb.method === 'OPTIONS' && !!cb.requestHeaders.get('access-control-request-method');
    if (!preflight) {
      this.policy = s;
      this.origin = origin;
      return 'continue';
    }
    const h = new HeaderMap();
    h.set('access-control-allow-origin', origin);
    if (s.allowCredentials) h.set('access-control-allow-credentials', 'true');
    if (s.allowMethods) h.set('access-control-allow-methods', s.allowMethods);
    if (s.allowHeaders) h.set('access-control-allow-headers', s.allowHeaders);
    if (s.maxAge) h.set('access-control-max-age', s.maxAge);
    h.set('content-length', '0');
    cb.info.responseCodeDetails = 'cors_response';
    cb.encodeHeaders(200, h);
    cb.endResponse();
    return 'stop';
  }

  encodeHeaders(_cb: FilterCallbacks, _status: number, headers: HeaderMap): void {
    const s = this.policy;
    if (!s) return;
    headers.set('access-control-allow-origin', this.origin);
    if (s.allowCredentials) headers.set('access-control-allow-credentials', 'true');
    if (s.exposeHeaders) headers.set('access-control-expose-headers', s.exposeHeaders);
  }
}
