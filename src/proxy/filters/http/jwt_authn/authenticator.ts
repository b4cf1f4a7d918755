// One request's verification of a requirement tree (Envoy's verifier + authenticator): each
// (provider, token) pair is verified at most once; a good token publishes its payload (dynamic
// metadata, forwarded payload header, claim headers) and is stripped unless `forward`.
// requires_any reports the most telling failure: a real verification error over an unknown
// issuer, over a missing token.
import type { FilterCallbacks } from '../types.js';
import type { JwtProvider, Requirement, TokenLocation } from './config.js';
import type { JwksSource } from './jwks.js';
import { JwtStatus } from './status.js';
import { extractTokens, type FoundToken } from './token.js';
import { checkClaims, parseJwt, verifySignature, type ParsedJwt } from './verify.js';

export const JWT_AUTHN_FILTER_NAME = 'envoy.filters.http.jwt_authn';

function rank(s: JwtStatus): number {
  return s === JwtStatus.missing ? 0 : s === JwtStatus.unknownIssuer ? 1 : 2;
}

function claim(payload: Record<string, unknown>, name: string): unknown {
  let v: unknown = payload;
  for (const k of name.split('.'))
    v =
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? (v as Record<string, unknown>)[k]
        : undefined;
  return v;
}

function headerValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  return undefined;
}

export class Authenticator {
  private readonly verified = new Map<string, Promise<JwtStatus>>();

  constructor(
    private readonly cb: FilterCallbacks,
    private readonly providers: ReadonlyMap<string, JwtProvider>,
    private readonly jwks: ReadonlyMap<string, JwksSource>,
  ) {}

  async run(r: Requirement): Promise<JwtStatus> {
    switch (r.kind) {
      case 'provider':
        return this.byProvider(r.provider, r.audiences);
      case 'allow_missing':
      case 'allow_missing_or_failed': {
        const s = await this.byIssuer();
        return r.kind === 'allow_missing_or_failed' || s === JwtStatus.missing ? JwtStatus.ok : s;
      }
      case 'all':
        for (const x of r.list) {
          const s = await this.run(x);
          if (s !== JwtStatus.ok) return s;
        }
        return JwtStatus.ok;
      case 'any': {
        let worst: JwtStatus = JwtStatus.missing;
        for (const x of r.list) {
          const s = await this.run(x);
          if (s === JwtStatus.ok) return s;
          if (rank(s) > rank(worst)) worst = s;
        }
        return worst;
      }
    }
  }

  private async byProvider(p: JwtProvider, audiences: readonly string[] | undefined): Promise<JwtStatus> {
    let last: JwtStatus = JwtStatus.missing;
    for (const t of extractTokens(this.cb, p.locations)) {
      last = await this.verify(p, t, audiences);
      if (last === JwtStatus.ok) break;
    }
    return last;
  }

  /** allow_missing(_or_failed): any provider's locations; the token's issuer picks the provider. */
  private async byIssuer(): Promise<JwtStatus> {
    const all = [...this.providers.values()];
    const locations: TokenLocation[] = all.flatMap((p) => p.locations);
    let last: JwtStatus = JwtStatus.missing;
    for (const t of extractTokens(this.cb, locations)) {
      const jwt = parseJwt(t.token);
      const iss = typeof jwt === 'string' ? undefined : jwt.payload.iss;
      const candidates = all.filter((p) => !p.issuer || p.issuer === iss);
      last = typeof jwt === 'string' ? jwt : JwtStatus.unknownIssuer;
      for (const p of typeof jwt === 'string' ? [] : candidates) {
        last = await this.verify(p, t, undefined);
        if (last === JwtStatus.ok) return last;
      }
    }
    return last;
  }

  private verify(
    p: JwtProvider,
    t: FoundToken,
    audiences: readonly string[] | undefined,
  ): Promise<JwtStatus> {
    const key = `${p.name}\n${audiences?.join(',') ?? ''}\n${t.token}`;
    let v = this.verified.get(key);
    if (!v) {
      v = this.check(p, t, audiences);
      this.verified.set(key, v);
    }
    return v;
  }

  private async check(
    p: JwtProvider,
    t: FoundToken,
    audiences: readonly string[] | undefined,
  ): Promise<JwtStatus> {
    const jwt = parseJwt(t.token);
    if (typeof jwt === 'string') return jwt;
    const claims = checkClaims(jwt, p, Math.floor(Date.now() / 1000), audiences);
    if (claims !== JwtStatus.ok) return claims;
    const s = await verifySignature(t.token, this.jwks.get(p.name)!);
    if (s === JwtStatus.ok) this.publish(p, t, jwt);
    return s;
  }

  /** Envoy's handleGoodJwt. */
  private publish(p: JwtProvider, t: FoundToken, jwt: ParsedJwt): void {
    const cb = this.cb;
    const h = cb.requestHeaders;
    const data: Record<string, unknown> = {};
    if (p.payloadInMetadata) data[p.payloadInMetadata] = normalize(jwt.payload, p.spaceDelimitedClaims);
    if (p.headerInMetadata) data[p.headerInMetadata] = jwt.header;
    if (p.payloadInMetadata || p.headerInMetadata) cb.info.setDynamicMetadata(JWT_AUTHN_FILTER_NAME, data);
    if (p.forwardPayloadHeader) {
      const pad = p.padForwardPayloadHeader ? '='.repeat((4 - (jwt.rawPayload.length % 4)) % 4) : '';
      h.set(p.forwardPayloadHeader, jwt.rawPayload + pad);
    }
    for (const c of p.claimToHeaders) {
      const v = headerValue(claim(jwt.payload, c.claim));
      if (v !== undefined) h.set(c.header, v);
    }
    if (!p.forward && t.location.kind === 'header') h.remove(t.location.name);
    if (p.clearRouteCache) cb.clearRouteCache();
  }
}

/** normalize_payload_in_metadata: space-delimited string claims become lists. */
function normalize(
  payload: Record<string, unknown>,
  spaceDelimited: ReadonlySet<string>,
): Record<string, unknown> {
  if (spaceDelimited.size === 0) return payload;
  const out = { ...payload };
  for (const c of spaceDelimited) {
    const v = out[c];
    if (typeof v === 'string') out[c] = v.split(' ').filter(Boolean);
  }
  return out;
}
