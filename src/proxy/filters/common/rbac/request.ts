// What RBAC matchers read of a connection or request (Envoy's Connection + headers + StreamInfo):
// the HTTP filter and the network filter each build one per check.
import type { ConnectionInfo } from '../../../listener/connection.js';
import type { MatchRequest } from '../../../router/match/request.js';

export interface RbacRequest {
  readonly connection: ConnectionInfo;
  /** the HTTP request; undefined at L4, where header and path matchers never match */
  readonly http: MatchRequest | undefined;
  /** downstream remote IP after x-forwarded-for handling (remote_ip) */
  readonly remoteIp: string;
  /** dynamic metadata of one filter namespace */
  metadata(filter: string): Record<string, unknown> | undefined;
}

/** "1.2.3.4:80", "[::1]:80" or a bare address → the address. */
export function ipOf(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.indexOf(':');
  return colon >= 0 && address.indexOf(':', colon + 1) < 0 ? address.slice(0, colon) : address;
}
