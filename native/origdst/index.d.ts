export interface OriginalDst {
  address: string;
  port: number;
  family: 4 | 6;
}
/** The destination a REDIRECTed connection was addressed to before iptables changed it. */
export function getOriginalDst(fd: number): OriginalDst;
/** Sets IP_TRANSPARENT on a listening socket (TPROXY mode; needs CAP_NET_ADMIN). */
export function setTransparent(fd: number, on: number): void;
