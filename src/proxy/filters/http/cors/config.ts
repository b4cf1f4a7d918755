// envoy.extensions.filters.http.cors.v3.CorsPolicy (the per-route / per-virtual-host policy Istio
// sends in typed_per_filter_config) → frozen settings parsed once: origin matchers, the header
// values to answer with, allow_credentials, filter_enabled (default 100%).
import { fraction, type Msg } from '../../../config/proto.js';
import { compileStringMatcher, type StringPredicate } from '../../../router/match/string.js';

export interface CorsSettings {
  readonly allowOrigin: readonly StringPredicate[];
  readonly allowMethods: string | undefined;
  readonly allowHeaders: string | undefined;
  readonly exposeHeaders: string | undefined;
  readonly maxAge: string | undefined;
  readonly allowCredentials: boolean;
  readonly enabled: number;
  /** forward_not_matching_preflights (default true): a preflight from a disallowed origin goes upstream */
  readonly forwardNotMatchingPreflights: boolean;
}

const str = (s: unknown): string | undefined => (typeof s === 'string' && s !== '' ? s : undefined);

export function parseCorsPolicy(c: Msg, path: string): CorsSettings {
  return Object.freeze({
    allowOrigin: ((c.allow_origin_string_match ?? []) as Msg[]).map((m, i) =>
      compileStringMatcher(m, `${path}.allow_origin_string_match[${i}]`),
    ),
    allowMethods: str(c.allow_methods),
    allowHeaders: str(c.allow_headers),
    exposeHeaders: str(c.expose_headers),
    maxAge: str(c.max_age),
    allowCredentials: Boolean(c.allow_credentials?.value),
    enabled: fraction(c.filter_enabled?.default_value, 1),
    forwardNotMatchingPreflights: c.forward_not_matching_preflights?.value ?? true,
  });
}

/** An origin is allowed when a matcher accepts it, or accepts "*" (Envoy's wildcard). */
export function originAllowed(s: CorsSettings, origin: string): boolean {
  return s.allowOrigin.some((m) => m(origin) || m('*'));
}
