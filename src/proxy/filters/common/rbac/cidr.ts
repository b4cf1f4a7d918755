// envoy.config.core.v3.CidrRange → a predicate over an address string, on the listener's CIDR
// arithmetic (one implementation for filter-chain matching and RBAC).
import net from 'node:net';
import { ConfigError, type Msg } from '../../../config/proto.js';
import { bestPrefix, parseCidr } from '../../../listener/cidr.js';

export type AddressPredicate = (address: string) => boolean;

export function compileCidr(c: Msg, path: string): AddressPredicate {
  const prefix = c.address_prefix as string | undefined;
  const family = prefix ? net.isIP(prefix) : 0;
  if (!prefix || family === 0)
    throw new ConfigError(`${path}.address_prefix`, `invalid address "${prefix ?? ''}"`);
  // RBAC reads an unset prefix_len as 0 (match the whole family), unlike a filter chain's range.
  const len = Number(c.prefix_len?.value ?? 0);
  if (!(len >= 0 && len <= (family === 4 ? 32 : 128)))
    throw new ConfigError(`${path}.prefix_len`, `invalid prefix length ${len}`);
  const ranges = [parseCidr({ address_prefix: prefix, prefix_len: { value: len } }, path)];
  return (address) => bestPrefix(ranges, address) >= 0;
}
