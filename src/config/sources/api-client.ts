// The CLI side of the config API: finds the running control plane (--server, or the state
// directory's control-plane.json) and calls it, saying plainly when none is running.
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
