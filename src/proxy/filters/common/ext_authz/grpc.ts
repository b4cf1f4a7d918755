// What the HTTP and network ext_authz filters share: the gRPC authorization service
// (envoy.service.auth.v3.Authorization/Check) — its config, the connection's peers as a
// CheckRequest describes them, the call, and the CheckResponse decoded into one result.
import { structToPlain } from '../../../../xds/proto/struct.js';
import type { IncomingHttpHeaders } from 'node:http';
import { ConfigError, durationMs, type Msg } from '../../../config/proto.js';
import type { ConnectionInfo } from '../../../listener/connection.js';
import type { ClusterManager } from '../../../upstream/cluster-manager.js';
import { CONVERSION, lookupType, protoRoot } from '../../../../xds/proto/root.js';
import { sendAsync, type AsyncCall } from '../async_client/index.js';

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

export const CHECK_ERROR: CheckResult = { kind: 'error' };

export interface GrpcAuthzService {
  readonly cluster: string;
  readonly authority: string;
  readonly timeoutMs: number;
}

export interface PendingCheck {
  /** the outcome; transport failures resolve as 'error' */
  readonly result: Promise<CheckResult>;
  cancel(): void;
}

/** envoy.type.v3.StatusCode as decoded (enum name or number) → the HTTP status. */
export function statusCode(code: unknown, dflt: number): number {
  if (code === undefined || code === null || code === 'Empty' || code === 0) return dflt;
  if (typeof code === 'number') return code;
  return Number(protoRoot().lookupEnum('envoy.type.v3.StatusCode').values[code as string] ?? dflt);
}

/** A GrpcService (envoy_grpc only: Weft calls clusters it manages); 200ms default timeout. */
export function parseGrpcService(g: Msg, path: string): GrpcAuthzService {
  const e = g.envoy_grpc as Msg | undefined;
  if (!e?.cluster_name)
    throw new ConfigError(`${path}.envoy_grpc.cluster_name`, 'an envoy_grpc cluster is required');
  return {
    cluster: e.cluster_name as string,
    authority: (e.authority as string | undefined) || (e.cluster_name as string),
    timeoutMs: durationMs(g.timeout) ?? 200,
  };
}

function address(a: string, port: number): Msg {
  return { socket_address: { address: a, port_value: port } };
}

/**
 * AttributeContext source/destination: addresses, SPIFFE principals (first URI SAN) and, when
 * asked, the peer's leaf certificate as URL-encoded PEM (Envoy's include_peer_certificate).
 */
export function connectionPeers(c: ConnectionInfo, includePeerCertificate: boolean): Msg {
  const cert =
    includePeerCertificate && c.ssl?.peerCertificatePresented ? c.ssl.peerChainPem()[0] : undefined;
  return {
    source: {
      address: address(c.remoteAddress, c.remotePort),
      principal: c.ssl?.peerUriSans[0] ?? '',
      ...(cert ? { certificate: encodeURIComponent(cert) } : {}),
    },
    destination: { address: address(c.localAddress, c.localPort), principal: c.ssl?.localUriSans[0] ?? '' },
  };
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
      metadata: r.dynamic_metadata ? structToPlain(r.dynamic_metadata) : undefined,
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

function grpcStatus(h: IncomingHttpHeaders | undefined): number | undefined {
  const s = h?.['grpc-status'];
  return s === undefined ? undefined : Number(s);
}

async function decodeCheck(call: AsyncCall): Promise<CheckResult> {
  const res = await call.response;
  const status = grpcStatus(res.trailers) ?? grpcStatus(res.headers);
  if (res.status !== 200 || status !== 0 || res.body.length < 5) return CHECK_ERROR;
  const t = lookupType('envoy.service.auth.v3.CheckResponse');
  const msg = t.toObject(t.decode(res.body.subarray(5, 5 + res.body.readUInt32BE(1))), CONVERSION) as Msg;
  return fromCheckResponse(msg);
}

/** Sends CheckRequest{attributes} to the service's cluster as a unary gRPC call. */
export function grpcCheck(cm: ClusterManager, s: GrpcAuthzService, attributes: Msg): PendingCheck {
  const t = lookupType('envoy.service.auth.v3.CheckRequest');
  const msg = t.encode(t.fromObject({ attributes })).finish();
  const frame = Buffer.alloc(5 + msg.length);
  frame.writeUInt32BE(msg.length, 1);
  frame.set(msg, 5);
  const call = sendAsync(
    cm,
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
  return { result: decodeCheck(call).catch(() => CHECK_ERROR), cancel: () => call.cancel() };
}
