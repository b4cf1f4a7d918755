// Pilot's debug endpoints on the monitoring port: /debug/syncz, /debug/adsz, /debug/configz,
// /debug/registryz, /debug/push_status and /debug/config_dump?proxyID=. Returns false for paths it
// does not serve.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigStoreReader } from '../../config/store-types.js';
import type { DiscoveryServer } from '../server/discovery-server.js';
import { configDump } from './config-dump.js';
import { adsz, findConnection, syncz } from './syncz.js';

export interface DebugSources {
  ds: DiscoveryServer;
  store?: ConfigStoreReader;
  /** The service registry's view, as JSON (services with ports and endpoints). */
  services?: () => unknown;
  /** The current push context's status: its version and the problems found building it. */
  pushStatus?: () => unknown;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

export function createDebugHandler(src: DebugSources): Handler {
  const routes: Record<string, (url: URL, res: ServerResponse) => void> = {
    '/debug/syncz': (_u, res) => sendJson(res, 200, syncz(src.ds)),
    '/debug/adsz': (_u, res) => sendJson(res, 200, adsz(src.ds)),
    '/debug/configz': (_u, res) =>
      sendJson(res, 200, {
        version: src.store?.version ?? 0,
        resources: (src.store?.list() ?? []).map((c) => ({
          ...c.resource,
          resourceVersion: c.resourceVersion,
          source: c.source,
        })),
      }),
    '/debug/registryz': (_u, res) => sendJson(res, 200, src.services?.() ?? []),
    '/debug/push_status': (_u, res) => sendJson(res, 200, src.pushStatus?.() ?? {}),
    '/debug/config_dump': (url, res) => {
      const id = url.searchParams.get('proxyID');
      if (!id)
        return sendJson(res, 400, { error: 'proxyID is required, e.g. ?proxyID=reviews-v1-1.default' });
      const c = findConnection(src.ds, id);
      if (!c) return sendJson(res, 404, { error: `proxy ${id} is not connected` });
      sendJson(res, 200, configDump(c));
    },
  };
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    if (!route) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: `${req.method} not allowed on ${url.pathname}` });
      return true;
    }
    route(url, res);
    return true;
  };
}
