// google.rpc.Code as Mixer's adapters return it, and how Istio 1.1's proxy turns a failed check
// into an HTTP reply (istio/proxy utils.StatusHttpCode; body `<CODE_NAME>:<message>`).
import { status as GrpcStatus } from '@grpc/grpc-js';

export const Code = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

const HTTP: Record<number, number> = {
  0: 200,
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

export interface RpcStatus {
  code: number;
  message: string;
}

/** The HTTP status a failed check answers with; unknown codes are 500. */
export function httpStatusOf(code: number): number {
  return HTTP[code] ?? 500;
}

/** `PERMISSION_DENIED`, or the number for codes google.rpc does not name. */
export function codeName(code: number): string {
  return (GrpcStatus as Record<number, string | undefined>)[code] ?? String(code);
}

/** The reply body: protobuf's Status::ToString, which the proxy sends as is. */
export function statusBody(s: RpcStatus): string {
  return s.message === '' ? codeName(s.code) : `${codeName(s.code)}:${s.message}`;
}
