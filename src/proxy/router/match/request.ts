// What route matching sees of a request: pseudo-headers and a header lookup. Built once per
// request by the connection manager; matching never touches sockets.

export interface MatchRequest {
  method: string;
  /** :path including the query string */
  path: string;
  /** :authority / Host, as sent */
  authority: string;
  scheme: string;
  /** lowercase name → value; repeated headers joined with "," as Envoy does for matching */
  header(name: string): string | undefined;
}

/** Fraction in [0,1) used for runtime_fraction and weighted clusters (injectable in tests). */
export type RandomSource = () => number;

export function pathWithoutQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

export function queryString(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? '' : path.slice(q + 1);
}
