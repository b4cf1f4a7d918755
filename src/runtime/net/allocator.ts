// Address allocation from an IPv4 block: the lowest free host address. The set of used
// addresses lives in the run state, so allocation survives restarts with the record.
import { intToIpv4, ipv4ToInt, type Ipv4Block } from './cidr.js';

export function allocateAddress(
  block: Ipv4Block,
  used: Iterable<string>,
  reserved: readonly string[] = [],
): string {
  const taken = new Set([...used, ...reserved].map(ipv4ToInt));
  // The network and broadcast addresses are never host addresses.
  for (let n = block.first + 1; n < block.last; n++) {
    if (!taken.has(n)) return intToIpv4(n);
  }
  throw new Error(`no free address left in ${block.cidr}`);
}
