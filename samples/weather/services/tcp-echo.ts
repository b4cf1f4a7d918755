// tcp-echo: echoes every line it receives, prefixed with its version (e.g. "v1 hello").
import net from 'node:net';

const VERSION = process.env.VERSION ?? 'v1';
const PORT = Number(process.env.PORT ?? 9000);

const server = net.createServer((sock) => {
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      sock.write(`${VERSION} ${buf.slice(0, i)}\n`);
      buf = buf.slice(i + 1);
    }
  });
  sock.on('end', () => {
    if (buf) sock.write(`${VERSION} ${buf}\n`);
    sock.end();
  });
  sock.on('error', () => sock.destroy());
});
server.listen(PORT, () =>
  console.log(`tcp-echo ${VERSION} listening on ${(server.address() as net.AddressInfo).port}`),
);
process.on('SIGTERM', () => server.close());
