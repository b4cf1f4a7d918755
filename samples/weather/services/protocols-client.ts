// Client side of the protocol scenario (scenarios.md 28), run inside a pod:
//   protocols-client.ts grpc HOST:PORT  → unary Echo, a failing Echo, streaming Count 5 (JSON out)
//   protocols-client.ts ws HOST PORT    → WebSocket upgrade and one echoed message (JSON out)
import { createHash } from 'node:crypto';
import net from 'node:net';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { decodeFrame, EchoClient, encodeFrame, type EchoReply } from './protocols-grpc.js';

type Echo = InstanceType<typeof EchoClient> & {
  echo(
    req: { message: string },
    md: Metadata,
    cb: (err: ServiceError | null, v?: EchoReply) => void,
  ): { on(ev: 'status', f: (s: { code: number; metadata: Metadata }) => void): void };
  count(req: { message: string }): NodeJS.EventEmitter;
};

async function grpc(target: string): Promise<unknown> {
  const client = new EchoClient(target, credentials.createInsecure()) as Echo;
  const unary = (message: string): Promise<unknown> =>
    new Promise((resolve) => {
      let reply: EchoReply | undefined;
      let error: { code: number; details: string } | undefined;
      const call = client.echo({ message }, new Metadata(), (err, v) => {
        reply = v;
        if (err) error = { code: err.code, details: err.details };
      });
      call.on('status', (s) =>
        setImmediate(() =>
          resolve({ reply, error, code: s.code, trailer: s.metadata.get('x-echo-trailer') }),
        ),
      );
    });
  const stream = (): Promise<unknown> =>
    new Promise((resolve) => {
      const messages: string[] = [];
      const call = client.count({ message: '5' });
      call.on('data', (v: EchoReply) => messages.push(v.message));
      call.on('error', () => undefined);
      call.on('status', (s: { code: number; metadata: Metadata }) =>
        resolve({ messages, code: s.code, trailer: s.metadata.get('x-echo-trailer') }),
      );
    });
  const out = { unary: await unary('hello'), failing: await unary('fail'), stream: await stream() };
  client.close();
  return out;
}

function ws(host: string, port: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const key = Buffer.from('weft-ws-scenario').toString('base64');
    const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const socket = net.connect(port, host, () =>
      socket.write(
        `GET /chat HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: scenario-28-ws\r\n\r\n`,
      ),
    );
    let buf = Buffer.alloc(0);
    let head: string | undefined;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (head === undefined) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return (resolve({ head }), socket.destroy());
        socket.write(encodeFrame(1, Buffer.from('hello over websocket'), true));
      }
      const f = decodeFrame(buf);
      if (!f) return;
      const accept = /sec-websocket-accept: *(\S+)/i.exec(head)?.[1];
      resolve({ status: 101, acceptOk: accept === expected, message: f.payload.toString() });
      socket.end(encodeFrame(8, Buffer.alloc(0), true));
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`websocket: no answer (${head ?? 'no head'})`)), 8000).unref();
  });
}

const [mode, a, b] = process.argv.slice(2);
const result = mode === 'grpc' ? await grpc(a!) : await ws(a!, Number(b));
console.log(JSON.stringify(result));
process.exit(0);
