// Reads the first bytes of a connection for inspection and puts them back (socket.unshift), so
// the filter chain chosen afterwards sees the stream from its first byte.
import type { Socket } from 'node:net';

export type PeekVerdict = 'more' | 'done';

export function peek(socket: Socket, enough: (b: Buffer) => PeekVerdict, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0);
    const finish = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', finish);
      socket.off('close', finish);
      socket.pause();
      if (buf.length) socket.unshift(buf);
      resolve(buf);
    };
    const onData = (c: Buffer): void => {
      buf = buf.length ? Buffer.concat([buf, c]) : c;
      if (enough(buf) === 'done') finish();
    };
    // Envoy's listener_filters_timeout default (15s): give up inspecting, continue with what we have.
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', onData);
    socket.once('end', finish);
    socket.once('close', finish);
    socket.resume();
  });
}
