// The monitoring port (15014): Prometheus /metrics, the /debug/* endpoints and the config API,
// tried in that order on one HTTP server bound to loopback.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Handler } from '../xds/debug/index.js';

export function createMonitoringServer(metrics: Registry, handlers: readonly Handler[]): Server {
  const serveMetrics = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/metrics') return false;
    metrics.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
      },
      (e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${e.message}\n`);
      },
    );
    return true;
  };
  const all = [serveMetrics, ...handlers];
  return createServer((req, res) => {
    for (const h of all) if (h(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify({ error: `no such path: ${req.url}` })}\n`);
  });
}

/** Listens on host:port (port 0 picks one) and returns the bound host:port. */
export function listen(server: Server, address: string): Promise<string> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? `${host}:${a.port}` : address);
    });
  });
}

export function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${address} is not a host:port address`);
  return { host: address.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1', port };
}
