// Host/:authority helpers with Envoy's reading of a port (HeaderUtility::getPortStart): the port
// follows the last colon, unless that colon sits inside an IPv6 literal's brackets.

/** Index of the colon that starts the port, or -1 when the authority has none. */
export function portStart(authority: string): number {
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return -1;
  return authority.lastIndexOf(']') < colon ? colon : -1;
}

/** The authority without its port. */
export function withoutPort(authority: string): string {
  const i = portStart(authority);
  return i < 0 ? authority : authority.slice(0, i);
}

// RFC 3986 authority characters, as nghttp2_check_authority (Envoy's authorityIsValid) allows them.
const AUTHORITY = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%]*$/;

/** False for a Host/:authority no URL could carry (`a.com/x`, `a.com x`, `a.com#x`). */
export const authorityIsValid = (authority: string): boolean => AUTHORITY.test(authority);
