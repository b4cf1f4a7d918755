// envoy.config.core.v3.CidrRange → a predicate over an address string (node's BlockList does the
// prefix arithmetic for both families).
import net from 'node:net';
import { ConfigError, type Msg } from '../../../config/proto.js';

export type AddressPredicate = (address: string) => boolean;

export function compileCidr(c: Msg, path: string): AddressPredicate {
  const prefix = c.address_prefix as string | undefined;
  const family = prefix ? net.isIP(prefix) : 0;
  if (!prefix || family === 0)
    throw new ConfigError(`${path}.address_prefix`, `invalid address "${prefix ?? ''}"`);
  const len = Number(c.prefix_len?.value ?? 0);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (!(len >= 0 && len <= (family === 4 ? 32 : 128)))
    throw new ConfigError(`${path}.prefix_len`, `invalid prefix length ${len}`);
  const list = new net.BlockList();
  list.addSubnet(prefix, len, type);
  return (address) => net.isIP(address) === family && list.check(address, type);
}
