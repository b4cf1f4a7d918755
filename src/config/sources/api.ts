// The config API the control plane serves on its HTTP port (15014) for `weft apply|delete|get`:
//   GET    /apis                               kinds served
//   POST   /apis/apply[?namespace=NS]          multi-document YAML/JSON; all-or-nothing
//   POST   /apis/delete[?namespace=NS]         the same documents, deleted
//   GET    /apis/config/KIND[/NAME][?namespace=NS]   a List, or one object (KIND as `weft get` takes it)
//   DELETE /apis/config/KIND/NAME[?namespace=NS]
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allKinds, findKindByName } from '../../api/registry.js';
import type { Diagnostic } from '../diagnostics.js';
import { parseResources } from '../loader.js';
import { keyOf, type ConfigInput, type ConfigStore } from '../store.js';
import type { ConfigKey } from '../store-types.js';
import { API_OWNER, type PersistedConfig } from './persisted.js';

export interface ConfigApiOptions {
  /** Applies and deletes go through here, so they are durable before they are acknowledged. */
  persisted: PersistedConfig;
  /** Largest request body accepted (default 16 MiB). */
  maxBodyBytes?: number;
}

/** One line of an apply/delete answer, as kubectl prints it: `gateway.networking.istio.io/x created`. */
export interface ResultItem {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  outcome: 'created' | 'configured' | 'unchanged' | 'deleted' | 'not found';
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly diagnostics?: Diagnostic[],
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const data = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) throw new HttpError(413, `request body larger than ${max} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a request body; any problem rejects the whole request. */
function parseBody(text: string, namespace: string | undefined): ConfigInput[] {
  const parsed = parseResources(text, '<request>');
  if (parsed.diagnostics.some((d) => d.severity === 'error'))
    throw new HttpError(400, 'the request body is not valid YAML or JSON', parsed.diagnostics);
  if (parsed.resources.length === 0) throw new HttpError(400, 'no objects passed');
  for (const { resource } of parsed.resources) {
    const own = resource.metadata?.namespace;
    if (namespace && own && own !== namespace)
      throw new HttpError(
        400,
        `the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`,
      );
  }
  return parsed.resources;
}

const item = (k: ConfigKey, outcome: ResultItem['outcome']): ResultItem => ({ ...k, outcome });

export function createConfigApi(
  store: ConfigStore,
  opts: ConfigApiOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const max = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const persisted = opts.persisted;

  /** Deletes keys, refusing (409) objects that a config directory owns. */
  async function remove(keys: ConfigKey[]): Promise<ResultItem[]> {
    for (const k of keys) {
      const owner = store.ownerOf(k);
      if (owner !== undefined && owner !== API_OWNER)
        throw new HttpError(
          409,
          `${k.kind} ${k.namespace ? `${k.namespace}/` : ''}${k.name} comes from ${owner}; remove it there`,
        );
    }
    const existed = new Set((await persisted.delete(keys)).map((k) => JSON.stringify(k)));
    return keys.map((k) => item(k, existed.has(JSON.stringify(k)) ? 'deleted' : 'not found'));
  }

  async function route(req: IncomingMessage, url: URL): Promise<[number, unknown]> {
    const ns = url.searchParams.get('namespace') || undefined;
    const parts = url.pathname.split('/').filter(Boolean).slice(1);
    const method = req.method ?? 'GET';
    if (parts.length === 0 && method === 'GET')
      return [
        200,
        {
          kinds: allKinds().map((d) => ({
            group: d.group,
            kind: d.kind,
            plural: d.plural,
            versions: d.versions,
            namespaced: d.namespaced,
          })),
        },
      ];
    if (parts.length === 1 && method === 'POST' && (parts[0] === 'apply' || parts[0] === 'delete')) {
      const inputs = parseBody(await readBody(req, max), ns);
      if (parts[0] === 'delete')
        return [200, { items: await remove(inputs.map((i) => keyOf(i.resource, ns))) }];
      const r = await persisted.apply(inputs, ns);
      if (!r.ok) throw new HttpError(422, 'the objects are invalid; nothing was applied', r.diagnostics);
      return [200, { items: r.items.map((i) => item(i.key, i.outcome)) }];
    }
    if (parts[0] === 'config' && (parts.length === 2 || parts.length === 3)) {
      const def = findKindByName(decodeURIComponent(parts[1]!));
      if (!def)
        throw new HttpError(
          404,
          `the server doesn't have a resource type "${decodeURIComponent(parts[1]!)}"`,
        );
      const gk = { group: def.group, kind: def.kind };
      const name = parts[2] && decodeURIComponent(parts[2]);
      const namespace = def.namespaced ? ns : '';
      if (name && method === 'DELETE') {
        const [r] = await remove([{ ...gk, namespace: namespace ?? 'default', name }]);
        if (r!.outcome === 'not found')
          throw new HttpError(404, `${def.plural}.${def.group || 'core'} "${name}" not found`);
        return [200, { items: [r] }];
      }
      if (method !== 'GET') throw new HttpError(405, `${method} is not supported here`);
      if (name) {
        const c = store.get({ ...gk, namespace: namespace ?? 'default', name });
        if (!c) throw new HttpError(404, `${def.plural}.${def.group || 'core'} "${name}" not found`);
        return [200, c.resource];
      }
      return [
        200,
        { apiVersion: 'v1', kind: 'List', items: store.list(gk, namespace).map((c) => c.resource) },
      ];
    }
    throw new HttpError(404, `no route for ${method} ${url.pathname}`);
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/apis' && !url.pathname.startsWith('/apis/')) return false;
    route(req, url).then(
      ([status, body]) => send(res, status, body),
      (e: unknown) => {
        if (e instanceof HttpError)
          send(res, e.status, { error: e.message, ...(e.diagnostics ? { diagnostics: e.diagnostics } : {}) });
        else send(res, 500, { error: (e as Error).message });
      },
    );
    return true;
  };
}
