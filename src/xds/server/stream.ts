// What SotW and delta streams share: the first request's node makes the connection, every
// request names its type (or the per-type service does), writes respect backpressure, and the
// connection goes away with the stream.
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { TypeUrl } from '../type-urls.js';
import { Connection, type Responder, type Watch } from './connection.js';
import type { DiscoveryServer } from './discovery-server.js';
import type { WireNode } from './wire.js';

export type AdsCall<Req> = ServerDuplexStream<Req, Buffer>;

interface AnyRequest {
  node?: WireNode;
  type_url?: string;
}

/**
 * Runs one stream: `onRequest` gets each request with its connection and type URL.
 * `fixedType` is set for the per-type services (CDS, LDS, …), whose requests may omit type_url.
 */
export function runStream<Req extends AnyRequest>(
  server: DiscoveryServer,
  call: AdsCall<Req>,
  responder: Responder,
  onRequest: (conn: Connection, req: Req, typeUrl: string) => void,
  fixedType?: string,
): void {
  let conn: Connection | undefined;
  let done = false;
  const fail = (code: status, details: string): void => {
    if (done) return;
    call.emit('error', { code, details });
  };
  const close = (): void => {
    if (done) return;
    done = true;
    if (conn) server.removeConnection(conn);
  };
  call.on('data', (req: Req) => {
    const typeUrl = req.type_url || fixedType;
    if (!typeUrl) return fail(status.INVALID_ARGUMENT, 'type_url is required');
    if (fixedType && typeUrl !== fixedType)
      return fail(status.INVALID_ARGUMENT, `this service serves ${fixedType}, not ${typeUrl}`);
    if (!conn) {
      if (!req.node?.id) return fail(status.INVALID_ARGUMENT, 'the first request must carry node.id');
      try {
        conn = new Connection(server.proxyFromNode(req.node), responder, call.getPeer(), server.clock.now());
      } catch (e) {
        return fail(status.INVALID_ARGUMENT, `bad node ${req.node.id}: ${(e as Error).message}`);
      }
      server.addConnection(conn);
    }
    onRequest(conn, req, typeUrl);
  });
  call.on('end', () => {
    close();
    call.end();
  });
  call.on('cancelled', close);
  call.on('close', close);
  call.on('error', close);
}

/**
 * Writes one message and resolves once HTTP/2 has taken it (flow control included), so a push to
 * many proxies holds at most one response per concurrently pushed proxy in memory.
 */
export function write(call: AdsCall<unknown>, bytes: Buffer): Promise<void> {
  if (call.destroyed || call.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('close', done);
      resolve();
    };
    call.on('close', done);
    call.write(bytes, done);
  });
}

/** Types whose empty first request means "everything" (legacy wildcard, xDS protocol doc). */
export function isWildcardType(typeUrl: string): boolean {
  return typeUrl === TypeUrl.Cluster || typeUrl === TypeUrl.Listener;
}

/** Records an ACK of the response that carried `nonce`. */
export function ack(w: Watch, nonce: string, version: string): void {
  w.nonceAcked = nonce;
  w.versionAcked = version;
  w.lastNack = undefined;
  w.wake();
}

/** Records a NACK: counted, logged with the proxy id, shown per proxy; nothing is re-sent. */
export function nack(
  server: DiscoveryServer,
  conn: Connection,
  w: Watch,
  nonce: string,
  version: string,
  message: string,
): void {
  w.lastNack = { nonce, version, message, at: server.clock.now() };
  server.recordReject(conn, w);
  w.wake();
}
