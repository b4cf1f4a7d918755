// The HTTP connection manager's path normalisation (Envoy's normalize_path, merge_slashes and
// path_with_escaped_slashes_action), applied before routing and every filter so RBAC and the
// router see the same path — otherwise `/public/../admin` or `/%2e%2e/admin` slip past a rule.
export type EscapedSlashesAction =
  'KEEP_UNCHANGED' | 'REJECT_REQUEST' | 'UNESCAPE_AND_REDIRECT' | 'UNESCAPE_AND_FORWARD';

export interface PathNormalization {
  readonly normalizePath: boolean;
  readonly mergeSlashes: boolean;
  readonly escapedSlashes: EscapedSlashesAction;
}

export type NormalizedPath =
  { kind: 'forward'; path: string } | { kind: 'reject' } | { kind: 'redirect'; path: string };

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const ESCAPED_SLASH = /%2f|%5c/i;
const ESCAPED_SLASHES = /%2f|%5c/gi;

/** RFC 3986 §6.2.2: decode %XX of unreserved characters, upper-case the rest; undefined if malformed. */
function normalizeEscapes(p: string): string | undefined {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = p.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    const ch = String.fromCharCode(parseInt(hex, 16));
    out += UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return out;
}

/** RFC 3986 §5.2.4 remove_dot_segments, with backslashes read as slashes (as Envoy does). */
function removeDotSegments(p: string): string {
  const segments = p.replace(/\\/g, '/').split('/');
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    const last = i === segments.length - 1;
    if (s === '.' || s === '..') {
      if (s === '..') out.pop();
      if (last) out.push('');
    } else out.push(s);
  }
  return `/${out.join('/')}`;
}

/** Normalises the path part of a request target (the query string is left as it is). */
export function normalizeRequestPath(target: string, cfg: PathNormalization): NormalizedPath {
  if (!target.startsWith('/')) return { kind: 'forward', path: target }; // "*" or absolute-form
  const q = target.search(/[?#]/);
  let path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  let redirect = false;
  if (cfg.escapedSlashes !== 'KEEP_UNCHANGED' && ESCAPED_SLASH.test(path)) {
    if (cfg.escapedSlashes === 'REJECT_REQUEST') return { kind: 'reject' };
    path = path.replace(ESCAPED_SLASHES, (m) => (m.toLowerCase() === '%2f' ? '/' : '\\'));
    redirect = cfg.escapedSlashes === 'UNESCAPE_AND_REDIRECT';
  }
  if (cfg.normalizePath) {
    const unescaped = normalizeEscapes(path);
    if (unescaped === undefined) return { kind: 'reject' };
    path = removeDotSegments(unescaped);
  }
  if (cfg.mergeSlashes) path = path.replace(/\/{2,}/g, '/');
  return redirect ? { kind: 'redirect', path: path + query } : { kind: 'forward', path: path + query };
}
