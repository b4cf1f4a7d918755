// Path and URL rewriting for routes and redirects (prefix_rewrite, regex_rewrite, redirect
// fields). Pure functions of the matched route and the request.
import type { PathMatch } from './match/path.js';
import type { CompiledRegex } from './match/regex.js';
import { pathWithoutQuery, queryString } from './match/request.js';
import type { RedirectAction } from './route-config.js';

export function rewritePath(
  path: string,
  match: PathMatch,
  prefixRewrite: string | undefined,
  regexRewrite: { re: CompiledRegex; substitution: string } | undefined,
): string {
  if (prefixRewrite !== undefined) {
    if (match.kind === 'prefix' || match.kind === 'path_separated_prefix')
      return prefixRewrite + path.slice(match.value.length);
    if (match.kind === 'path') {
      const q = queryString(path);
      return q ? `${prefixRewrite}?${q}` : prefixRewrite;
    }
    return path;
  }
  if (regexRewrite) {
    const q = queryString(path);
    const p = regexRewrite.re.replaceAll(pathWithoutQuery(path), regexRewrite.substitution);
    return q ? `${p}?${q}` : p;
  }
  return path;
}

/** What a redirect needs of the route's redirect action. */
export type RedirectSpec = Omit<RedirectAction, 'kind' | 'code'>;

const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };

/** The Location for a redirect route (Envoy RouteEntryImplBase::newUri). */
export function redirectLocation(
  r: RedirectSpec,
  match: PathMatch,
  req: { scheme: string; authority: string; path: string },
): string {
  const scheme = r.scheme ?? req.scheme;
  let host = req.authority;
  let port = '';
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (m) {
    host = m[1]!;
    port = m[2] ?? '';
  }
  if (r.host !== undefined) {
    // host_redirect replaces the whole authority, so the request's port does not survive it.
    host = r.host;
    port = '';
  }
  if (r.port !== undefined) port = String(r.port);
  // A scheme change drops a port that was only the old scheme's default.
  if (r.scheme && r.port === undefined && port && Number(port) === DEFAULT_PORT[req.scheme]) port = '';
  if (port && Number(port) === DEFAULT_PORT[scheme]) port = '';
  let path: string;
  if (r.path !== undefined) {
    // path_redirect replaces the path; it keeps the original query unless it has its own.
    const q = queryString(req.path);
    path = r.path.includes('?') || !q ? r.path : `${r.path}?${q}`;
  } else path = rewritePath(req.path, match, r.prefixRewrite, r.regexRewrite);
  if (r.stripQuery) path = pathWithoutQuery(path);
  return `${scheme}://${host}${port ? `:${port}` : ''}${path}`;
}
