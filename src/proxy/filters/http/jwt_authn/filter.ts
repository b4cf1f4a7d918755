// envoy.filters.http.jwt_authn, per request: picks the requirement (per-route requirement_name or
// the first matching rule), verifies asynchronously and either continues or answers 401 with
// `www-authenticate: Bearer realm="<url>"` (plus error="invalid_token" unless the token was
// missing) — 403 when only the audience was wrong — and details jwt_authn_access_denied{…}.
import type { HeaderMap } from '../../../http/header-map.js';
import { pathWithoutQuery } from '../../../router/match/request.js';
import type { Counter } from '../../../stats/store.js';
import type { FilterCallbacks, FilterHeadersStatus, HttpFilter } from '../types.js';
import { Authenticator, JWT_AUTHN_FILTER_NAME } from './authenticator.js';
import type { JwtAuthnConfig, JwtPerRoute, Requirement } from './config.js';
import type { JwksSource } from './jwks.js';
import { JwtStatus } from './status.js';
import type { JWT_AUTHN_COUNTERS } from './stats.js';

/** Shared by every stream of one connection manager: config, key sources (their caches), stats. */
export interface JwtAuthnShared {
  readonly config: JwtAuthnConfig;
  readonly jwks: ReadonlyMap<string, JwksSource>;
  readonly stats: { [K in (typeof JWT_AUTHN_COUNTERS)[number]]: Counter };
}

const MAX_URI_LENGTH = 256;

const details = (msg: string): string => `jwt_authn_access_denied{${msg.replace(/\s/g, '_')}}`;

function isCorsPreflight(cb: FilterCallbacks): boolean {
  return (
    cb.method === 'OPTIONS' &&
    Boolean(cb.requestHeaders.get('origin')) &&
    Boolean(cb.requestHeaders.get('access-control-request-method'))
  );
}

export class JwtAuthnFilter implements HttpFilter {
  private destroyed = false;
  private wwwAuthenticate: string | undefined;

  constructor(private readonly shared: JwtAuthnShared) {}

  decodeHeaders(cb: FilterCallbacks): FilterHeadersStatus {
    const { config, stats } = this.shared;
    if (config.bypassCorsPreflight && isCorsPreflight(cb)) {
      stats.cors_preflight_bypassed.value++;
      stats.allowed.value++;
      return 'continue';
    }
    const per = cb.perFilterConfig<JwtPerRoute | { disabled: true }>(JWT_AUTHN_FILTER_NAME);
    let requirement: Requirement | undefined;
    if (per) {
      if ('disabled' in per) return 'continue';
      requirement = config.requirementMap.get(per.requirementName);
      if (!requirement) {
        const msg = `Wrong requirement_name: ${per.requirementName}`;
        stats.denied.value++;
        cb.sendLocalReply(
          403,
          config.stripFailureResponse ? '' : `Failed JWT authentication: ${msg}`,
          undefined,
          details(msg),
        );
        return 'stop';
      }
    } else requirement = config.rules.find((r) => r.matches(cb))?.requirement;
    if (!requirement) {
      stats.allowed.value++;
      return 'continue';
    }
    const realm = `${cb.scheme}://${cb.authority}${pathWithoutQuery(cb.path)}`.slice(0, MAX_URI_LENGTH);
    new Authenticator(cb, config.providers, this.shared.jwks).run(requirement).then(
      (s) => this.onComplete(cb, s, realm),
      () => this.onComplete(cb, JwtStatus.verificationFail, realm),
    );
    return 'stop';
  }

  private onComplete(cb: FilterCallbacks, status: JwtStatus, realm: string): void {
    if (this.destroyed) return;
    const { config, stats } = this.shared;
    if (status === JwtStatus.ok) {
      stats.allowed.value++;
      cb.continueDecoding();
      return;
    }
    stats.denied.value++;
    const code = status === JwtStatus.audienceNotAllowed ? 403 : 401;
    if (!config.stripFailureResponse)
      this.wwwAuthenticate = `Bearer realm="${realm}"${status === JwtStatus.missing ? '' : ', error="invalid_token"'}`;
    cb.sendLocalReply(code, config.stripFailureResponse ? '' : status, undefined, details(status));
  }

  encodeHeaders(_cb: FilterCallbacks, _status: number, headers: HeaderMap): void {
    if (this.wwwAuthenticate) headers.set('www-authenticate', this.wwwAuthenticate);
  }

  onDestroy(): void {
    this.destroyed = true;
  }
}
