// Shared fixtures for proxy tests: loopback upstreams, a proxy started from a YAML bootstrap,
// and small HTTP clients that expose exactly what came back.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { parseBootstrapText } from '../../src/proxy/config/bootstrap.js';
import { ProxyMain } from '../../src/proxy/main.js';

export interface Echo {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  upstream: string;
}

/**
 * An HTTP/1.1 upstream on 127.0.0.1:0 that echoes the request as JSON. Paths steer it:
 * /status/<code>, /delay/<ms>, /reset (destroys the socket before responding).
 */
export async function startUpstream(
  name = 'up',
): Promise<{ port: number; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/reset')) return void req.socket.destroy();
      const status = /^\/status\/(\d+)/.exec(url);
      const delay = /^\/delay\/(\d+)/.exec(url);
      const reply = (): void => {
        const out: Echo = { method: req.method ?? '', url, headers: req.headers, body, upstream: name };
        res.writeHead(status ? Number(status[1]) : 200, {
          'content-type': 'application/json',
          'x-upstream': name,
        });
        res.end(JSON.stringify(out));
      };
      if (delay) setTimeout(reply, Number(delay[1]));
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export interface Running {
  proxy: ProxyMain;
  admin: number;
  /** bound port of a listener by name */
  port(listener: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts a proxy from bootstrap YAML (listeners may use port_value: 0). */
export async function startProxy(
  yaml: string,
  opts: { concurrency?: number; xds?: string } = {},
): Promise<Running> {
  const proxy = await ProxyMain.start({
    bootstrap: parseBootstrapText(yaml),
    admin: '127.0.0.1:0',
    drainMs: 200,
    onQuit: () => undefined,
    ...opts,
  });
  return {
    proxy,
    admin: proxy.adminPort,
    async port(name) {
      const l = (await proxy.listeners()).find((x) => x.name === name);
      if (!l) throw new Error(`no listener ${name}`);
      return l.port;
    },
    stop: () => proxy.stop(),
  };
}

/**
 * Opens a TCP connection to 127.0.0.1:`port` (from the local address `from` when given), sends
 * `payload` ("ping" by default) and resolves with all that came back before the connection closed.
 */
export function tcpExchange(port: number, opts: { payload?: string; from?: string } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: opts.from });
    let got = '';
    s.on('data', (c) => {
      got += c.toString();
      s.end();
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
    s.write(opts.payload ?? 'ping');
  });
}

export interface Resp {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent } = {},
): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: opts.agent ?? false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function adminGet(port: number, path: string, method = 'GET'): Promise<Resp> {
  return request(port, path, { method });
}

const ROUTER = `
- name: envoy.filters.http.router
  typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}`;

/**
 * Minimal static bootstrap: one HTTP listener named "http" with the given route_config and
 * clusters. `hcmExtra` is placed in the HttpConnectionManager; `filters` (YAML list items) go
 * before the router; `transport` is a transport_socket for the filter chain.
 */
export function httpBootstrap(
  routeConfig: string,
  clusters: string,
  hcmExtra = '',
  opts: { filters?: string; transport?: string } = {},
): string {
  return `
node: {id: test, cluster: test}
static_resources:
  listeners:
  - name: http
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - ${opts.transport ? indent(opts.transport, 6).trimStart() + '\n      ' : ''}filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
${indent(hcmExtra, 10)}
          route_config:
${indent(routeConfig, 12)}
          http_filters:
${indent((opts.filters ?? '') + ROUTER, 10)}
  clusters:
${indent(clusters, 2)}
`;
}

/** HttpConnectionManager access_log entry writing `format` (one line per request) to the file `path`. */
export function fileAccessLog(path: string, format: string): string {
  return `
access_log:
- name: envoy.access_loggers.file
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
    path: ${path}
    log_format: {text_format: "${format}\\n"}`;
}

export function staticCluster(name: string, ports: number[], extra = ''): string {
  return `
- name: ${name}
  connect_timeout: 0.5s
  type: STATIC
${indent(extra, 2)}
  load_assignment:
    cluster_name: ${name}
    endpoints:
    - lb_endpoints:
${ports.map((p) => `      - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${p}}}}`).join('\n')}
`;
}

/** Cluster `extra` for staticCluster: speak HTTP/2 to the upstream (gRPC services). */
export const H2 = `
typed_extension_protocol_options:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    explicit_http_config: {http2_protocol_options: {}}`;

export function indent(s: string, n: number): string {
  const pad = ' '.repeat(n);
  const lines = s.replace(/^\n+|\s+$/g, '').split('\n');
  const min = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => (l.trim() ? pad + l.slice(min) : '')).join('\n');
}

/** The value of one stat from /stats (undefined when absent). */
export async function stat(admin: number, name: string): Promise<number | undefined> {
  const r = await request(admin, `/stats?filter=${encodeURIComponent(`^${name.replace(/[.|]/g, '\\$&')}$`)}`);
  const m = new RegExp(`^${name.replace(/[.|]/g, '\\$&')}: (\\d+)`, 'm').exec(r.body);
  return m ? Number(m[1]) : undefined;
}
