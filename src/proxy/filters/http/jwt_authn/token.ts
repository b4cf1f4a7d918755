// Where a provider finds its tokens (Envoy's extractor): headers with an optional value prefix
// (by default `Authorization: Bearer …`), query parameters (by default access_token) and cookies.
import type { FilterCallbacks } from '../types.js';
import { queryParam } from '../../../router/match/query.js';
import type { TokenLocation } from './config.js';

export interface FoundToken {
  readonly token: string;
  readonly location: TokenLocation;
}

// The characters a compact JWS is made of; the token ends at the first other one (`,`, space).
const JWT_CHARS = /^[A-Za-z0-9\-_.=+/]+/;

function fromHeader(value: string, prefix: string): string | undefined {
  let rest = value;
  if (prefix) {
    const at = value.toLowerCase().indexOf(prefix.toLowerCase());
    if (at < 0) return undefined;
    rest = value.slice(at + prefix.length);
  }
  return JWT_CHARS.exec(rest.trim())?.[0];
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The tokens at `locations`, each once, in location order. */
export function extractTokens(cb: FilterCallbacks, locations: readonly TokenLocation[]): FoundToken[] {
  const out: FoundToken[] = [];
  for (const location of locations) {
    let token: string | undefined;
    if (location.kind === 'header') {
      const v = cb.requestHeaders.get(location.name);
      token = v === undefined ? undefined : fromHeader(v, location.prefix);
    } else if (location.kind === 'param') token = queryParam(cb.path, location.name);
    else token = cookie(cb.requestHeaders.get('cookie'), location.name);
    if (token && !out.some((t) => t.token === token)) out.push({ token, location });
  }
  return out;
}
