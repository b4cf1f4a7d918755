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
