// One token against one provider, in jwt_verify_lib's order: format and header, issuer, time
// (with clock skew), audiences, subject and lifetime, then the signature with the provider's keys.
import { base64url, compactVerify, errors } from 'jose';
import type { JwtProvider } from './config.js';
import type { JwksSource } from './jwks.js';
import { JwtStatus } from './status.js';

export interface ParsedJwt {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** the payload segment as sent (forward_payload_header) */
  readonly rawPayload: string;
}

const ALGS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'HS256',
  'HS384',
  'HS512',
  'EdDSA',
]);

function json(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(base64url.decode(segment)));
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function parseJwt(token: string): ParsedJwt | JwtStatus {
  const parts = token.split('.');
  if (parts.length !== 3) return JwtStatus.badFormat;
  const header = json(parts[0]!);
  if (!header) return JwtStatus.headerParse;
  if (typeof header.alg !== 'string') return JwtStatus.headerBadAlg;
  if (!ALGS.has(header.alg)) return JwtStatus.headerAlgNotImplemented;
  if (header.kid !== undefined && typeof header.kid !== 'string') return JwtStatus.headerBadKid;
  const payload = json(parts[1]!);
  if (!payload) return JwtStatus.payloadParse;
  if (!/^[A-Za-z0-9\-_]*$/.test(parts[2]!)) return JwtStatus.signatureParse;
  return { header, payload, rawPayload: parts[1]! };
}

function audiencesOf(p: Record<string, unknown>): string[] {
  const a = p.aud;
  return typeof a === 'string'
    ? [a]
    : Array.isArray(a)
      ? a.filter((x): x is string => typeof x === 'string')
      : [];
}

/** The claim checks that need no keys; OK when the token may go on to signature verification. */
export function checkClaims(
  jwt: ParsedJwt,
  p: JwtProvider,
  nowS: number,
  audiences: readonly string[] | undefined,
): JwtStatus {
  const c = jwt.payload;
  if (p.issuer && c.iss !== p.issuer) return JwtStatus.unknownIssuer;
  const nbf = typeof c.nbf === 'number' ? c.nbf : undefined;
  const exp = typeof c.exp === 'number' ? c.exp : undefined;
  if (nbf !== undefined && nbf > nowS + p.clockSkewS) return JwtStatus.notYetValid;
  if (exp !== undefined && nowS > exp + p.clockSkewS) return JwtStatus.expired;
  if (exp === undefined && p.requireExpiration) return JwtStatus.expired;
  if (
    p.maxLifetimeS !== undefined &&
    (exp === undefined || exp - (Number(c.iat ?? nbf) || nowS) > p.maxLifetimeS)
  )
    return JwtStatus.expired;
  const allowed = audiences ?? p.audiences;
  if (allowed.length && !audiencesOf(c).some((a) => allowed.includes(a))) return JwtStatus.audienceNotAllowed;
  if (p.subjects && !(typeof c.sub === 'string' && p.subjects(c.sub))) return JwtStatus.verificationFail;
  return JwtStatus.ok;
}

export async function verifySignature(token: string, jwks: JwksSource): Promise<JwtStatus> {
  const keys = await jwks.keys();
  if (typeof keys === 'string') return keys;
  try {
    await compactVerify(token, keys);
    return JwtStatus.ok;
  } catch (e) {
    if (e instanceof errors.JWKSNoMatchingKey) return JwtStatus.jwksKidAlgMismatch;
    return JwtStatus.verificationFail;
  }
}
