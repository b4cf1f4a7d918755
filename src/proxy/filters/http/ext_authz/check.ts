// The HTTP filter's two authorization transports behind one result: gRPC Authorization/Check with
// the request's AttributeContext (the call and CheckResponse decoding are common/ext_authz's) and
// the raw HTTP service (the request's allowed headers to path_prefix + path; 200 allows, anything
// else is the denial).
import type { IncomingHttpHeaders } from 'node:http';
import { sendAsync, type AsyncCall } from '../../common/async_client/index.js';
import {
  CHECK_ERROR,
  connectionPeers,
  grpcCheck,
  type CheckResult,
  type Header,
  type PendingCheck,
} from '../../common/ext_authz/grpc.js';
import type { FilterCallbacks } from '../types.js';
import type { AuthzService, ExtAuthzConfig, HeaderList } from './config.js';

// Sent to an HTTP authorization service whatever allowed_headers says (Envoy's documented set).
const ALWAYS = new Set(['authorization', 'host', ':authority']);

function requestHeaders(cb: FilterCallbacks, allowed: HeaderList | undefined, all: boolean): Header[] {
  const out: Header[] = [];
  for (const [k, v] of Object.entries(cb.requestHeaders.raw)) {
    if (!(allowed ? allowed(k) || (!all && ALWAYS.has(k)) : all || ALWAYS.has(k))) continue;
    out.push([k, Array.isArray(v) ? v.join(',') : String(v)]);
  }
  return out;
}

/** AttributeContext of a request: the connection's peers and the request's HTTP attributes. */
function attributes(
  cb: FilterCallbacks,
  cfg: ExtAuthzConfig,
  ext: Record<string, string>,
): Record<string, unknown> {
  const headers: Record<string, string> = {
    ':authority': cb.authority,
    ':method': cb.method,
    ':path': cb.path,
    ':scheme': cb.scheme,
  };
  for (const [k, v] of requestHeaders(cb, cfg.allowedHeaders, true)) headers[k] = v;
  const q = cb.path.indexOf('?');
  const now = Date.now();
  return {
    ...connectionPeers(cb.connection, cfg.includePeerCertificate),
    request: {
      time: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 },
      http: {
        id: cb.requestHeaders.get('x-request-id') ?? '',
        method: cb.method,
        headers,
        path: cb.path,
        host: cb.authority,
        scheme: cb.scheme,
        query: q < 0 ? '' : cb.path.slice(q + 1),
        protocol: cb.info.protocol,
        size: -1,
      },
    },
    context_extensions: ext,
  };
}

function pick(h: IncomingHttpHeaders, allowed: HeaderList | undefined): Header[] {
  const out: Header[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k === 'host' || (allowed && !allowed(k))) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push([k, x]);
  }
  return out;
}

async function httpCheck(call: AsyncCall, s: Extract<AuthzService, { kind: 'http' }>): Promise<CheckResult> {
  const res = await call.response;
  if (res.status === 200)
    return {
      kind: 'ok',
      set: s.upstreamHeaders ? pick(res.headers, s.upstreamHeaders) : [],
      append: s.upstreamHeadersToAppend ? pick(res.headers, s.upstreamHeadersToAppend) : [],
      remove: [],
      responseHeaders: s.clientHeadersOnSuccess ? pick(res.headers, s.clientHeadersOnSuccess) : [],
      metadata: undefined,
    };
  const hop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);
  const headers = pick(res.headers, s.clientHeaders).filter(([k]) => !hop.has(k));
  return { kind: 'denied', status: res.status, body: res.body.toString(), headers };
}

/** Starts the check; the promise resolves with the outcome (transport failures are 'error'). */
export function startCheck(
  cb: FilterCallbacks,
  cfg: ExtAuthzConfig,
  ext: Record<string, string>,
): PendingCheck {
  const s = cfg.service;
  if (s.kind === 'grpc') return grpcCheck(cb.clusterManager, s, attributes(cb, cfg, ext));
  const headers = requestHeaders(cb, cfg.allowedHeaders, false).filter(
    ([k]) => !k.startsWith(':') && k !== 'host',
  );
  for (const [k, v] of s.headersToAdd) headers.push([k, v]);
  headers.push(['content-length', '0']);
  const call = sendAsync(
    cb.clusterManager,
    s.cluster,
    { method: cb.method, path: s.pathPrefix + cb.path, authority: cb.authority, headers: headers.flat() },
    s.timeoutMs,
  );
  return { result: httpCheck(call, s).catch(() => CHECK_ERROR), cancel: () => call.cancel() };
}
