// Envoy-compatible admin API (default 127.0.0.1:15000). Reads are GET; mutations are POST only,
// as Envoy enforces. Everything it shows comes through AdminBackend, so one process or the main
// process of several workers can serve it.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { level, LEVELS, setLevel } from '../log.js';
import { renderJson, renderPrometheus, renderText } from '../stats/render.js';
import type { StatsStore } from '../stats/store.js';
import { clustersJson, clustersText } from './clusters.js';
import type { ClusterView } from './views.js';

export interface AdminBackend {
  stats(): Promise<StatsStore>;
  clusters(): Promise<ClusterView[]>;
  isDynamicCluster(name: string): boolean;
  listeners(): Promise<{ name: string; address: string; port: number }[]>;
  configDump(includeEds: boolean): object;
  /** /certs: certificates with SANs and days until expiration */
  certs(): object;
  serverInfo(): object;
  /** LIVE, or the state that keeps the server from being ready */
  state(): 'LIVE' | 'PRE_INITIALIZING' | 'INITIALIZING' | 'DRAINING';
  drainListeners(): Promise<void>;
  healthcheck(failed: boolean): Promise<void>;
  quit(): void;
}

type Handler = (q: URLSearchParams, res: ServerResponse) => Promise<void> | void;

function send(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=UTF-8'): void {
  res.writeHead(code, {
    'content-type': type,
    'cache-control': 'no-cache, max-age=0',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

const json = (res: ServerResponse, o: object): void =>
  send(res, 200, JSON.stringify(o, null, 2), 'application/json');

export class AdminServer {
  private readonly server: http.Server;
  private readonly get: Record<string, Handler>;
  private readonly post: Record<string, Handler>;

  constructor(private readonly b: AdminBackend) {
    this.get = {
      '/ready': (_q, res) => {
        const s = b.state();
        send(res, s === 'LIVE' ? 200 : 503, `${s}\n`);
      },
      '/server_info': (_q, res) => json(res, b.serverInfo()),
      '/config_dump': (q, res) => json(res, b.configDump(q.has('include_eds'))),
      '/certs': (_q, res) => json(res, b.certs()),
      '/clusters': async (q, res) => {
        const cs = await b.clusters();
        const dyn = (n: string): boolean => b.isDynamicCluster(n);
        if (q.get('format') === 'json') json(res, clustersJson(cs, dyn));
        else send(res, 200, clustersText(cs, dyn));
      },
      '/listeners': async (q, res) => {
        const ls = await b.listeners();
        if (q.get('format') === 'json')
          json(res, {
            listener_statuses: ls.map((l) => ({
              name: l.name,
              local_address: { socket_address: { address: l.address, port_value: l.port } },
            })),
          });
        else send(res, 200, ls.map((l) => `${l.name}::${l.address}:${l.port}`).join('\n') + '\n');
      },
      '/stats': async (q, res) => {
        const store = await b.stats();
        const f = q.get('filter');
        if (q.get('format') === 'json') return json(res, renderJson(store));
        if (q.get('format') === 'prometheus') return send(res, 200, renderPrometheus(store));
        send(res, 200, renderText(store, f ? new RegExp(f) : undefined, q.has('usedonly')));
      },
      '/stats/prometheus': async (_q, res) =>
        send(res, 200, renderPrometheus(await b.stats()), 'text/plain; version=0.0.4'),
      '/logging': (_q, res) => send(res, 200, `active loggers:\n  admin: ${level()}\n`),
      '/': (_q, res) =>
        send(
          res,
          200,
          [...Object.keys(this.get), ...Object.keys(this.post).map((p) => `${p} (POST)`)].sort().join('\n') +
            '\n',
        ),
    };
    this.post = {
      '/logging': (q, res) => {
        const l = q.get('level');
        if (l && !setLevel(l)) return send(res, 400, `error: unknown level; valid: ${LEVELS.join(', ')}\n`);
        send(res, 200, `active loggers:\n  admin: ${level()}\n`);
      },
      '/drain_listeners': async (_q, res) => {
        await b.drainListeners();
        send(res, 200, 'OK\n');
      },
      '/healthcheck/fail': async (_q, res) => {
        await b.healthcheck(true);
        send(res, 200, 'OK\n');
      },
      '/healthcheck/ok': async (_q, res) => {
        await b.healthcheck(false);
        send(res, 200, 'OK\n');
      },
      '/quitquitquit': (_q, res) => {
        send(res, 200, 'OK\n');
        res.once('finish', () => b.quit());
      },
    };
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    const h = req.method === 'POST' ? (this.post[path] ?? this.get[path]) : this.get[path];
    try {
      if (h) return await h(url.searchParams, res);
      if (this.post[path]) return send(res, 405, `Method ${req.method} not allowed, POST required.\n`);
      send(res, 404, `invalid path. admin commands are:\n${Object.keys(this.get).sort().join('\n')}\n`);
    } catch (e) {
      send(res, 500, `${(e as Error).message}\n`);
    }
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
