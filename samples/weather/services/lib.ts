// Shared plumbing of the weather sample's services: tiny HTTP server helpers and the header
// propagation every service in a mesh must do for tracing and routing (Istio's requirement).
import http from 'node:http';

/** Headers a service copies from its inbound request to the calls it makes. */
export const PROPAGATED = [
  'user-agent',
  'cookie',
  'x-request-id',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'b3',
  'traceparent',
  'tracestate',
];

export function propagate(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of PROPAGATED) {
    const v = req.headers[h];
    if (typeof v === 'string') out[h] = v;
  }
  return out;
}

export const VERSION = process.env.VERSION ?? 'v1';
export const PORT = Number(process.env.PORT ?? 0);

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface Fetched {
  status: number;
  body: string;
}

/** GET with propagated headers and a deadline; errors become status 0 rather than throws. */
export function get(url: string, headers: Record<string, string>, timeoutMs = 5000): Promise<Fetched> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
  });
}

/** Starts a server on PORT (all interfaces: inside a pod that is the pod's own address). */
export function serve(name: string, handler: http.RequestListener): http.Server {
  const server = http.createServer((req, res) => {
    // One log line per request: what scenario tests read as the app's own log.
    res.on('finish', () => console.log(`${name} ${VERSION} ${req.method} ${req.url} ${res.statusCode}`));
    handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(PORT, () =>
    console.log(`${name} ${VERSION} listening on ${(server.address() as { port: number }).port}`),
  );
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}
