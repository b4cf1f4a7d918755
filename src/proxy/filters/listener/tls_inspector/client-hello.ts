// Minimal TLS ClientHello parser: SNI (server_name) and ALPN, from the first handshake record.
// Returns 'more' until a whole record is buffered, 'not-tls' when the bytes are not a handshake.

export interface HelloInfo {
  serverName: string;
  alpn: string[];
}

export function parseClientHello(b: Buffer): HelloInfo | 'more' | 'not-tls' {
  if (b.length < 1) return 'more';
  if (b[0] !== 0x16) return 'not-tls';
  if (b.length < 5) return 'more';
  if (b[1] !== 0x03) return 'not-tls';
  const recLen = b.readUInt16BE(3);
  if (b.length < 5 + recLen) return 'more';
  const h = b.subarray(5, 5 + recLen);
  if (h[0] !== 0x01 || h.length < 4) return 'not-tls';
  let p = 4 + 2 + 32; // handshake header, client_version, random
  const need = (n: number): boolean => p + n <= h.length;
  if (!need(1)) return 'not-tls';
  p += 1 + h[p]!; // session id
  if (!need(2)) return 'not-tls';
  p += 2 + h.readUInt16BE(p); // cipher suites
  if (!need(1)) return 'not-tls';
  p += 1 + h[p]!; // compression methods
  const info: HelloInfo = { serverName: '', alpn: [] };
  if (!need(2)) return info;
  const extEnd = p + 2 + h.readUInt16BE(p);
  p += 2;
  while (p + 4 <= extEnd && p + 4 <= h.length) {
    const type = h.readUInt16BE(p);
    const len = h.readUInt16BE(p + 2);
    const body = h.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    if (type === 0 && body.length >= 5 && body[2] === 0) {
      const n = body.readUInt16BE(3);
      info.serverName = body
        .subarray(5, 5 + n)
        .toString('latin1')
        .toLowerCase();
    } else if (type === 16 && body.length >= 2) {
      let q = 2;
      while (q < body.length) {
        const n = body[q]!;
        info.alpn.push(body.subarray(q + 1, q + 1 + n).toString('latin1'));
        q += 1 + n;
      }
    }
  }
  return info;
}
