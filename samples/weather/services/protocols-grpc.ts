// The protocol scenario's gRPC service `weft.Echo` (JSON messages, no .proto needed): unary Echo
// and server-streaming Count; plus the minimal WebSocket framing its server and client use.
import { makeGenericClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';

export interface EchoRequest {
  message: string;
}
export interface EchoReply {
  message: string;
  version: string;
}

const json = {
  requestSerialize: (v: EchoRequest): Buffer => Buffer.from(JSON.stringify(v)),
  requestDeserialize: (b: Buffer): EchoRequest => JSON.parse(b.toString()) as EchoRequest,
  responseSerialize: (v: EchoReply): Buffer => Buffer.from(JSON.stringify(v)),
  responseDeserialize: (b: Buffer): EchoReply => JSON.parse(b.toString()) as EchoReply,
};

export const echoService = {
  echo: { path: '/weft.Echo/Echo', requestStream: false, responseStream: false, ...json },
  count: { path: '/weft.Echo/Count', requestStream: false, responseStream: true, ...json },
} satisfies ServiceDefinition;

export const EchoClient = makeGenericClientConstructor(echoService, 'weft.Echo');

/** One WebSocket frame (RFC 6455), masked when `mask` is true (as clients must). */
export function encodeFrame(opcode: number, payload: Buffer, mask = false): Buffer {
  const len = payload.length;
  const head =
    len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]);
  if (!mask) return Buffer.concat([head, payload]);
  head[1] = head[1]! | 0x80;
  const key = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

/** The first complete frame in `buf`, or undefined while it is incomplete. */
export function decodeFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    off = 4;
  }
  const key = masked ? buf.subarray(off, off + 4) : undefined;
  if (masked) off += 4;
  if (buf.length < off + len) return undefined;
  const payload = Buffer.from(buf.subarray(off, off + len));
  if (key) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i % 4]!;
  return { opcode, payload, length: off + len };
}
