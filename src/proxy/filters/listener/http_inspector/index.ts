// envoy.filters.listener.http_inspector: on plaintext connections, tells HTTP/1.x from HTTP/2
// prior knowledge by the first bytes and records it as the application protocol.
import type { ListenerFilterFactory } from '../types.js';
import { peek } from '../peek.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const H1_LINE = /^[A-Z]+ \S+ HTTP\/1\.([01])\r?\n/;

export function sniffHttp(b: Buffer): 'h2c' | 'http/1.1' | 'http/1.0' | 'more' | 'none' {
  const n = Math.min(b.length, H2_PREFACE.length);
  if (b.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) return n === H2_PREFACE.length ? 'h2c' : 'more';
  const eol = b.indexOf(0x0a);
  if (eol < 0) return b.length > 8192 || !/^[A-Z]*( |$)/.test(b.toString('latin1', 0, 16)) ? 'none' : 'more';
  const m = H1_LINE.exec(b.toString('latin1', 0, eol + 1));
  return m ? (m[1] === '1' ? 'http/1.1' : 'http/1.0') : 'none';
}

export const httpInspectorFilter = {
  name: 'envoy.filters.listener.http_inspector',
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector',
  parse: () => ({}),
  create: () => async (socket, conn) => {
    if (conn.transportProtocol !== 'raw_buffer') return;
    const b = await peek(socket, (buf) => (sniffHttp(buf) === 'more' ? 'more' : 'done'), 15000);
    const r = sniffHttp(b);
    if (r === 'h2c') conn.applicationProtocols = ['h2c'];
    else if (r === 'http/1.1' || r === 'http/1.0') conn.applicationProtocols = [r];
  },
} satisfies ListenerFilterFactory<object>;
