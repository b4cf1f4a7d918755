// protocols: one app for the protocol scenario (scenarios.md 28). On HTTP_PORTS (comma-separated)
// it answers HTTP/1.1 and cleartext HTTP/2 (prior knowledge) alike, `GET /version` → the HTTP
// version it received, and echoes WebSocket messages after an upgrade; on GRPC_PORT it serves the
// gRPC service `weft.Echo` (protocols-grpc.ts).
import { createHash } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { decodeFrame, encodeFrame, echoService, type EchoReply, type EchoRequest } from './protocols-grpc.js';
import { VERSION } from './lib.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function handler(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
): void {
  const body = JSON.stringify({ version: VERSION, httpVersion: req.httpVersion, path: req.url });
  res.writeHead(req.url === '/version' || req.url === '/health' ? 200 : 404, {
    'content-type': 'application/json',
  });
  res.end(body);
  console.log(`protocols ${VERSION} ${req.method} ${req.url} HTTP/${req.httpVersion}`);
}

const h1 = http.createServer(handler);
const h2 = http2.createServer(handler);

h1.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
  const key = req.headers['sec-websocket-key'];
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string') return socket.destroy();
  const accept = createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  console.log(`protocols ${VERSION} websocket upgrade ${req.url}`);
  let buf = head;
  const onData = (d: Buffer): void => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const f = decodeFrame(buf);
      if (!f) return;
      buf = buf.subarray(f.length);
      if (f.opcode === 8) return void socket.end(encodeFrame(8, Buffer.alloc(0)));
      socket.write(encodeFrame(1, Buffer.from(`echo: ${f.payload.toString()}`)));
    }
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  if (head.length) onData(Buffer.alloc(0));
});

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** Sends each connection to the HTTP/2 server when it opens with the h2 preface, else to HTTP/1.1. */
function sniffing(): net.Server {
  return net.createServer((socket) => {
    socket.once('readable', function first() {
      const chunk = socket.read(Math.min(PREFACE.length, socket.readableLength)) as Buffer | null;
      if (!chunk) return void socket.once('readable', first);
      socket.unshift(chunk);
      (chunk.toString('latin1') === PREFACE.slice(0, chunk.length) ? h2 : h1).emit('connection', socket);
    });
  });
}

const servers: net.Server[] = [];
for (const port of (process.env.HTTP_PORTS ?? '7070').split(',').map(Number)) {
  const s = sniffing().listen(port, () => console.log(`protocols ${VERSION} http listening on ${port}`));
  servers.push(s);
}

const grpc = new Server();
grpc.addService(echoService, {
  echo(call: ServerUnaryCall<EchoRequest, EchoReply>, done: sendUnaryData<EchoReply>) {
    const trailer = new Metadata();
    trailer.set('x-echo-trailer', `unary:${call.request.message}`);
    if (call.request.message === 'fail')
      return done({ code: status.NOT_FOUND, details: 'no such message: fail', metadata: trailer });
    done(null, { message: call.request.message, version: VERSION }, trailer);
  },
  count(call: ServerWritableStream<EchoRequest, EchoReply>) {
    const n = Number(call.request.message);
    for (let i = 1; i <= n; i++) call.write({ message: String(i), version: VERSION });
    const trailer = new Metadata();
    trailer.set('x-echo-trailer', `stream:${n}`);
    call.end(trailer);
  },
});
grpc.bindAsync(
  `0.0.0.0:${process.env.GRPC_PORT ?? '7071'}`,
  ServerCredentials.createInsecure(),
  (err, port) => {
    if (err) throw err;
    console.log(`protocols ${VERSION} grpc listening on ${port}`);
  },
);

const stop = (): void => {
  for (const s of servers) s.close();
  grpc.forceShutdown();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
