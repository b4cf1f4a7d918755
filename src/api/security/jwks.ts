// JWT key sources of RequestAuthentication and the 1.1 authentication Policy: `jwksUri` must be an
// http(s) URL (Istio's ParseJwksURI) and inline `jwks` must parse as a JWK or JWK Set.
import type { Path, Sink } from '../schema/dsl.js';

/** Go's url.Parse refuses ASCII control characters; WHATWG URL would silently drop some of them. */
export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Checks a jwksUri; the message follows the CRD's "url must have scheme http:// or https://". */
export function checkJwksUri(uri: string, path: Path, sink: Sink): void {
  let scheme: string | undefined;
  if (!hasControlChars(uri)) {
    try {
      scheme = new URL(uri).protocol.slice(0, -1);
    } catch {
      scheme = undefined;
    }
  }
  if (scheme !== 'http' && scheme !== 'https')
    sink.error(
      path,
      `url must have scheme http:// or https://, got ${JSON.stringify(uri)}${scheme ? ` (URI scheme "${scheme}" is not supported)` : ''}`,
    );
}

// Members that only private (or symmetric) keys carry.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** Checks inline JWKS text: a JSON JWK Set ({"keys": [...]}) or a single JWK, each with "kty". */
export function checkJwks(text: string, path: Path, sink: Sink): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    sink.error(path, `jwks parse error: ${(e as Error).message}`);
    return;
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(doc)) {
    sink.error(path, 'jwks parse error: expected a JSON object (a JWK or {"keys": [...]})');
    return;
  }
  const keys: unknown[] = Array.isArray(doc.keys) ? doc.keys : [doc];
  keys.forEach((k, i) => {
    if (!isObject(k) || typeof k.kty !== 'string') {
      sink.error(path, `jwks parse error: key at index ${i} has no "kty"`);
      return;
    }
    if (k.kty === 'oct' || PRIVATE_MEMBERS.some((m) => m in k))
      sink.warn(
        path,
        `jwks key at index ${i} contains private key material; only public keys are used for verification`,
      );
  });
}
