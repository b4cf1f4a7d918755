// Envoy's local replies: text/plain bodies, and for gRPC requests a trailers-only response
// (HTTP 200, grpc-status mapped from the HTTP status, grpc-message = the body).

/** Envoy's HTTP → gRPC status mapping (Grpc::Utility::httpToGrpcStatus). */
export function httpToGrpcStatus(code: number): number {
  switch (code) {
    case 400:
      return 13; // INTERNAL
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    default:
      return 2; // UNKNOWN
  }
}

export function isGrpcRequest(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.startsWith('application/grpc');
}

export const BODY = {
  noHealthyUpstream: 'no healthy upstream',
  upstreamTimeout: 'upstream request timeout',
  resetBeforeHeaders: (reason: string): string =>
    `upstream connect error or disconnect/reset before headers. reset reason: ${reason}`,
  overflow: 'upstream connect error or disconnect/reset before headers. reset reason: overflow',
  streamTimeout: 'stream timeout',
  requestTimeout: 'request timeout',
  badRequest: 'Bad Request',
} as const;

/** grpc-message encoding (gRPC HTTP/2 spec): percent-encode '%' and bytes outside 0x20–0x7E. */
export function grpcMessageEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s))
    out +=
      b < 0x20 || b > 0x7e || b === 0x25
        ? `%${b.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(b);
  return out;
}
