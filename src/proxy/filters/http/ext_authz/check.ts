// The two authorization transports behind one result: gRPC Authorization/Check (CheckRequest from
// the request and connection, CheckResponse's ok/denied parts) and the raw HTTP service (the
// request's allowed headers to path_prefix + path; 200 allows, anything else is the denial).
import type { IncomingHttpHeaders } from 'node:http';
import type { Msg } from '../../../config/proto.js';
import { CONVERSION, lookupType } from '../../../../xds/proto/root.js';
import { sendAsync, type AsyncCall } from '../../common/async_client/index.js';
import type { FilterCallbacks } from '../types.js';
import { statusCode, type AuthzService, type ExtAuthzConfig, type HeaderList } from './config.js';

export type Header = readonly [string, string];

export type CheckResult =
  | {
      readonly kind: 'ok';
      readonly set: readonly Header[];
      readonly append: readonly Header[];
      readonly remove: readonly string[];
      readonly responseHeaders: readonly Header[];
      readonly metadata: Record<string, unknown> | undefined;
    }
  | {
      readonly kind: 'denied';
      readonly status: number;
      readonly body: string;
      readonly headers: readonly Header[];
    }
  | { readonly kind: 'error' };

const ERROR: CheckResult = { kind: 'error' };
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

function address(a: string, port: number): Msg {
  return { socket_address: { address: a, port_value: port } };
}

function checkRequest(cb: FilterCallbacks, cfg: ExtAuthzConfig, ext: Record<string, string>): Uint8Array {
  const c = cb.connection;
  const headers: Record<string, string> = {
    ':authority': cb.authority,
    ':method': cb.method,
    ':path': cb.path,
    ':scheme': cb.scheme,
  };
  for (const [k, v] of requestHeaders(cb, cfg.allowedHeaders, true)) headers[k] = v;
  const q = cb.path.indexOf('?');
  const now = Date.now();
  const msg = {
    attributes: {
      source: { address: address(c.remoteAddress, c.remotePort), principal: c.ssl?.peerUriSans[0] ?? '' },
      destination: { address: address(c.localAddress, c.localPort), principal: c.ssl?.localUriSans[0] ?? '' },
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
    },
  };
  const t = lookupType('envoy.service.auth.v3.CheckRequest');
  return t.encode(t.fromObject(msg)).finish();
}

function headerOptions(list: Msg[] | undefined): { set: Header[]; append: Header[] } {
  const set: Header[] = [];
  const append: Header[] = [];
  for (const o of list ?? []) {
    const h: Header = [(o.header?.key as string).toLowerCase(), (o.header?.value as string) ?? ''];
    // HeaderValueOption.append defaults to false for ext_authz responses (set, replacing).
    (o.append?.value ? append : set).push(h);
  }
  return { set, append };
}

function fromCheckResponse(r: Msg): CheckResult {
  if (Number(r.status?.code ?? 0) === 0) {
    const ok = (r.ok_response ?? {}) as Msg;
    const { set, append } = headerOptions(ok.headers);
    return {
      kind: 'ok',
      set,
      append,
      remove: ((ok.headers_to_remove ?? []) as string[]).map((h) => h.toLowerCase()),
      responseHeaders: ((ok.response_headers_to_add ?? []) as Msg[]).map((o) => [
        (o.header?.key as string).toLowerCase(),
        (o.header?.value as string) ?? '',
      ]),
      metadata: r.dynamic_metadata ? (plain(r.dynamic_metadata) as Record<string, unknown>) : undefined,
    };
  }
  const d = (r.denied_response ?? {}) as Msg;
  const { set, append } = headerOptions(d.headers);
  return {
    kind: 'denied',
    status: statusCode(d.status?.code, 403),
    body: (d.body as string) ?? '',
    headers: [...set, ...append],
  };
}

/** Struct fields arrive as protobufjs Values ({stringValue…}); dynamic metadata wants plain JSON. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as Msg;
  if ('fields' in o)
    return Object.fromEntries(Object.entries((o.fields ?? {}) as Msg).map(([k, x]) => [k, plain(x)]));
  if ('stringValue' in o) return o.stringValue;
  if ('numberValue' in o) return o.numberValue;
  if ('boolValue' in o) return o.boolValue;
  if ('nullValue' in o) return null;
  if ('structValue' in o) return plain(o.structValue);
  if ('listValue' in o) return ((o.listValue?.values ?? []) as unknown[]).map(plain);
  return o;
}

function grpcStatus(h: IncomingHttpHeaders | undefined): number | undefined {
  const s = h?.['grpc-status'];
  return s === undefined ? undefined : Number(s);
}

async function grpcCheck(call: AsyncCall): Promise<CheckResult> {
  const res = await call.response;
  const status = grpcStatus(res.trailers) ?? grpcStatus(res.headers);
  if (res.status !== 200 || status !== 0 || res.body.length < 5) return ERROR;
  const t = lookupType('envoy.service.auth.v3.CheckResponse');
  const msg = t.toObject(t.decode(res.body.subarray(5, 5 + res.body.readUInt32BE(1))), CONVERSION) as Msg;
  return fromCheckResponse(msg);
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
): { result: Promise<CheckResult>; cancel(): void } {
  const s = cfg.service;
  let call: AsyncCall;
  let result: Promise<CheckResult>;
  if (s.kind === 'grpc') {
    const msg = checkRequest(cb, cfg, ext);
    const frame = Buffer.alloc(5 + msg.length);
    frame.writeUInt32BE(msg.length, 1);
    frame.set(msg, 5);
    call = sendAsync(
      cb.clusterManager,
      s.cluster,
      {
        method: 'POST',
        path: '/envoy.service.auth.v3.Authorization/Check',
        authority: s.authority,
        headers: ['content-type', 'application/grpc', 'te', 'trailers', 'grpc-timeout', `${s.timeoutMs}m`],
        body: frame,
      },
      s.timeoutMs,
    );
    result = grpcCheck(call);
  } else {
    const headers = requestHeaders(cb, cfg.allowedHeaders, false).filter(
      ([k]) => !k.startsWith(':') && k !== 'host',
    );
    for (const [k, v] of s.headersToAdd) headers.push([k, v]);
    headers.push(['content-length', '0']);
    call = sendAsync(
      cb.clusterManager,
      s.cluster,
      { method: cb.method, path: s.pathPrefix + cb.path, authority: cb.authority, headers: headers.flat() },
      s.timeoutMs,
    );
    result = httpCheck(call, s);
  }
  return { result: result.catch(() => ERROR), cancel: () => call.cancel() };
}
