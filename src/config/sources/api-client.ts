// The CLI side of the config API: finds the running control plane (--server, or the state
// directory's control-plane.json) and calls it, saying plainly when none is running.
import type { Diagnostic } from '../diagnostics.js';
import { readControlPlaneInfo, resolveStateDir } from '../state-dir.js';

export class NoControlPlaneError extends Error {}

export interface ServerOptions {
  server?: string;
  stateDir?: string;
}

const HINT = 'start one with `weft up` or `weft control-plane`, or pass --server';

/** Base URL of the control plane's HTTP server. */
export async function resolveServer(opts: ServerOptions): Promise<string> {
  if (opts.server) return /^https?:\/\//.test(opts.server) ? opts.server : `http://${opts.server}`;
  const dir = resolveStateDir(opts.stateDir);
  const info = await readControlPlaneInfo(dir);
  if (!info)
    throw new NoControlPlaneError(`no control plane is running (none registered in ${dir}); ${HINT}`);
  return `http://${info.http}`;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** Calls the config API; a refused connection becomes a NoControlPlaneError. */
export async function callApi(base: string, method: string, path: string, body?: string): Promise<ApiAnswer> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base), {
      method,
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new NoControlPlaneError(`no control plane answering at ${base} (${cause}); ${HINT}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed };
}

/** kubectl's name for an object: `virtualservice.networking.istio.io/forecast-route`, `service/frontend`. */
export function objectRef(i: { group: string; kind: string; name: string }): string {
  return `${i.kind.toLowerCase()}${i.group ? `.${i.group}` : ''}/${i.name}`;
}

/** The server's error for a failed call, with its diagnostics rendered by the caller. */
export function apiError(answer: ApiAnswer): { error: string; diagnostics: Diagnostic[] } {
  const b = answer.body as { error?: string; diagnostics?: Diagnostic[] } | string;
  if (typeof b === 'string') return { error: `HTTP ${answer.status}: ${b.slice(0, 200)}`, diagnostics: [] };
  return { error: b.error ?? `HTTP ${answer.status}`, diagnostics: b.diagnostics ?? [] };
}

export interface ClientOptions extends ServerOptions {
  namespace?: string;
  output?: string;
}

const write = (s: string): boolean => process.stdout.write(s);
const fail = (s: string): number => (process.stderr.write(`${s}\n`), 1);

/** Resolves the server and calls it; connection problems become a message and exit code 1. */
async function call(
  opts: ServerOptions,
  method: string,
  path: string,
  body?: string,
): Promise<ApiAnswer | number> {
  try {
    return await callApi(await resolveServer(opts), method, path, body);
  } catch (e) {
    if (e instanceof NoControlPlaneError) return fail(`error: ${e.message}`);
    throw e;
  }
}

async function failWith(answer: ApiAnswer): Promise<number> {
  const { formatDiagnostic } = await import('../diagnostics.js');
  const { error, diagnostics } = apiError(answer);
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  return fail(`error: ${error}`);
}

interface Result {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  outcome: string;
}

/** `weft apply|delete -f`: validates locally (file:line), then sends all objects in one request. */
export async function sendManifests(
  mode: 'apply' | 'delete',
  opts: ClientOptions & { filename: string[] },
): Promise<number> {
  const { readInput } = await import('./files.js');
  const { formatDiagnostic } = await import('../diagnostics.js');
  const input = await readInput(opts.filename, mode === 'apply');
  for (const d of input.diagnostics)
    if (d.severity !== 'info') process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (input.diagnostics.some((d) => d.severity === 'error'))
    return fail(`error: nothing was ${mode === 'apply' ? 'applied' : 'deleted'}`);
  if (input.resources.length === 0) return fail('error: no objects passed to ' + mode);
  const query = opts.namespace ? `?namespace=${encodeURIComponent(opts.namespace)}` : '';
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: input.resources.map((l) => l.resource),
  });
  const answer = await call(opts, 'POST', `/apis/${mode}${query}`, body);
  if (typeof answer === 'number') return answer;
  if (answer.status !== 200) return failWith(answer);
  return printResults((answer.body as { items: Result[] }).items, opts.output);
}

function printResults(items: Result[], output: string | undefined): number {
  if (output === 'json') write(`${JSON.stringify({ items }, null, 2)}\n`);
  let code = 0;
  for (const i of items) {
    const kindGroup = `${i.kind.toLowerCase()}${i.group ? `.${i.group}` : ''}`;
    if (i.outcome === 'not found')
      code = fail(`Error from server (NotFound): ${kindGroup} "${i.name}" not found`);
    else if (output === 'json') continue;
    else if (i.outcome === 'deleted') write(`${kindGroup} "${i.name}" deleted\n`);
    else write(`${objectRef(i)} ${i.outcome}\n`);
  }
  return code;
}

/** `weft delete KIND NAME…`. */
export async function deleteByName(kind: string, names: string[], opts: ClientOptions): Promise<number> {
  const items: Result[] = [];
  for (const name of names) {
    const query = `?namespace=${encodeURIComponent(opts.namespace ?? 'default')}`;
    const answer = await call(
      opts,
      'DELETE',
      `/apis/config/${encodeURIComponent(kind)}/${encodeURIComponent(name)}${query}`,
    );
    if (typeof answer === 'number') return answer;
    if (answer.status === 200) items.push(...(answer.body as { items: Result[] }).items);
    else if (answer.status !== 404 || !(answer.body as { error?: string }).error?.endsWith('not found'))
      return failWith(answer);
    else items.push({ group: '', kind, namespace: opts.namespace ?? 'default', name, outcome: 'not found' });
  }
  return printResults(items, opts.output);
}

/** kubectl's AGE column: 45s, 12m, 5h, 3d. */
function age(created: string | undefined, now = Date.now()): string {
  if (!created) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

interface Obj {
  metadata: { name?: string; namespace?: string; creationTimestamp?: string };
}

/** `weft get KIND [NAME]`. */
export async function getConfig(
  kind: string,
  name: string | undefined,
  opts: ClientOptions & { allNamespaces?: boolean },
): Promise<number> {
  const ns = opts.allNamespaces ? undefined : (opts.namespace ?? 'default');
  const path = `/apis/config/${encodeURIComponent(kind)}${name ? `/${encodeURIComponent(name)}` : ''}${ns ? `?namespace=${encodeURIComponent(ns)}` : ''}`;
  const answer = await call(opts, 'GET', path);
  if (typeof answer === 'number') return answer;
  if (answer.status !== 200) return failWith(answer);
  if (opts.output === 'json') write(`${JSON.stringify(answer.body, null, 2)}\n`);
  else if (opts.output === 'yaml') write((await import('yaml')).stringify(answer.body));
  else {
    const items = name ? [answer.body as Obj] : (answer.body as { items: Obj[] }).items;
    if (items.length === 0) {
      process.stderr.write(`No resources found${ns ? ` in ${ns} namespace` : ''}.\n`);
      return 0;
    }
    const rows = items.map((o) => [
      ...(opts.allNamespaces ? [o.metadata.namespace ?? ''] : []),
      o.metadata.name ?? '',
      age(o.metadata.creationTimestamp),
    ]);
    const header = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'AGE'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    for (const r of [header, ...rows])
      write(`${r.map((v, c) => (c < r.length - 1 ? v.padEnd(widths[c]! + 3) : v)).join('')}\n`);
  }
  return 0;
}
