// Mixer's semantic string types (IP_ADDRESS, DNS_NAME, EMAIL_ADDRESS, URI) and its extern
// functions ip(), dnsName(), email(), uri(), match(), matches(), toLower() (mixer/pkg/lang/externs).
import { isIP } from 'node:net';

/** IP_ADDRESS: compared like Go's net.IP.Equal, so an IPv4-mapped IPv6 address equals its IPv4 form. */
export class IPAddress {
  constructor(readonly address: string) {}
  static parse(s: string): IPAddress {
    const family = isIP(s);
    if (family === 4) return new IPAddress(s);
    if (family === 6) {
      const canonical = new URL(`http://[${s}]`).hostname.slice(1, -1);
      const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
      if (mapped) {
        const hi = parseInt(mapped[1]!, 16);
        const lo = parseInt(mapped[2]!, 16);
        return new IPAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
      }
      return new IPAddress(canonical);
    }
    throw new Error(`could not convert ${s} to IP_ADDRESS`);
  }
  /** From the proxy's raw 4- or 16-byte form. */
  static fromBytes(b: Uint8Array): IPAddress {
    if (b.length === 4) return new IPAddress(b.join('.'));
    if (b.length !== 16) throw new Error(`could not convert ${b.length} bytes to IP_ADDRESS`);
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
    return IPAddress.parse(groups.join(':'));
  }
  equals(o: IPAddress): boolean {
    return this.address === o.address;
  }
  toString(): string {
    return this.address;
  }
}

const DNS_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

function dnsNameError(s: string): string | undefined {
  const body = s.endsWith('.') ? s.slice(0, -1) : s;
  if (body === '' || body.length > 253) return 'invalid length';
  const bad = body.split('.').find((l) => !DNS_LABEL.test(l));
  return bad === undefined ? undefined : `invalid label ${JSON.stringify(bad)}`;
}

function canonicalDns(s: string): string {
  return s.toLowerCase().replace(/\.$/, '');
}

/** DNS_NAME: equal ignoring case and a trailing dot. */
export class DNSName {
  constructor(readonly name: string) {}
  static parse(s: string): DNSName {
    const e = dnsNameError(s);
    if (e) throw new Error(`error converting '${s}' to dns name: '${e}'`);
    return new DNSName(s);
  }
  equals(o: DNSName): boolean {
    return canonicalDns(this.name) === canonicalDns(o.name);
  }
  toString(): string {
    return this.name;
  }
}

/** EMAIL_ADDRESS: a bare addr-spec; the domain part compares like a DNS name. */
export class EmailAddress {
  constructor(readonly address: string) {}
  static parse(s: string): EmailAddress {
    const at = s.lastIndexOf('@');
    const local = s.slice(0, at);
    if (at <= 0 || /[\s<>"(),;:]/.test(local) || dnsNameError(s.slice(at + 1)))
      throw new Error(`error converting '${s}' to e-mail: not a bare e-mail address`);
    return new EmailAddress(s);
  }
  equals(o: EmailAddress): boolean {
    const [a, b] = [this.address, o.address].map((x) => {
      const at = x.lastIndexOf('@');
      return `${x.slice(0, at)}@${canonicalDns(x.slice(at + 1))}`;
    });
    return a === b;
  }
  toString(): string {
    return this.address;
  }
}

/** URI: equal after normalising scheme case and, for http(s), the host. */
export class URI {
  constructor(readonly uri: string) {}
  static parse(s: string): URI {
    if (s === '') throw new Error('error converting string to uri: empty string');
    if (/\s/.test(s)) throw new Error(`error converting string to uri '${s}': contains whitespace`);
    return new URI(s);
  }
  private normal(): string {
    try {
      const u = new URL(this.uri);
      return u.protocol === 'http:' || u.protocol === 'https:'
        ? u.href
        : this.uri.replace(/^[^:]+:/, (m) => m.toLowerCase());
    } catch {
      return this.uri;
    }
  }
  equals(o: URI): boolean {
    return this.normal() === o.normal();
  }
  toString(): string {
    return this.uri;
  }
}

/** match(): a glob with one leading or trailing `*`, otherwise equality. */
export function globMatch(str: string, pattern: string): boolean {
  if (pattern.endsWith('*')) return str.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return str.endsWith(pattern.slice(1));
  return str === pattern;
}
