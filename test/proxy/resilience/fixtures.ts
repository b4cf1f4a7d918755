// Fixtures for the resilience tests: a one-listener bootstrap with chosen HTTP filters before the
// router and an access log of path, status and response flags, plus counting upstreams.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileAccessLog, httpBootstrap } from '../helpers.js';

/** Bootstrap with listener "http"; `filters` is YAML list items placed before the router. */
export function bootstrap(opts: { routes: string; clusters: string; filters?: string; log: string }): string {
  return httpBootstrap(
    opts.routes,
    opts.clusters,
    fileAccessLog(opts.log, '%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%'),
    {
      filters: opts.filters,
    },
  );
}

export function tempLog(): string {
  return join(mkdtempSync(join(tmpdir(), 'weft-res-')), 'access.log');
}

/**
 * Access-log lines "path status flags" whose path starts with `prefix`. The proxy writes its log
 * asynchronously, so this waits (up to 2 s) until the set of matching lines stops changing.
 */
export async function logLines(log: string, prefix: string): Promise<string[]> {
  const read = (): string[] => {
    try {
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(prefix));
    } catch {
      return []; // not written yet
    }
  };
  let last = read();
  for (let waited = 0; waited < 2000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    const now = read();
    if (now.length === last.length && now.length > 0) return now;
    last = now;
  }
  return last;
}

export interface CountingUpstream {
  port: number;
  /** requests seen, in order: method, url, headers */
  seen: { url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** An upstream whose reply is decided per request by `handler` (default: 200 "ok"). */
export async function countingUpstream(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void = (_q, res) =>
    res.end('ok'),
): Promise<CountingUpstream> {
  const seen: CountingUpstream['seen'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      handler(req, res, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
