// Per-request facts the access log, stats and header formatters read (Envoy StreamInfo), and
// Envoy's response flags in their enum order (the order they print in %RESPONSE_FLAGS%).
import type { WorkloadMetadata } from '../filters/common/istio_stats/workload-metadata.js';
import type { SslInfo } from '../tls/ssl-info.js';
import type { UpstreamIdentity } from '../tls/upstream.js';

export const RESPONSE_FLAGS = [
  'LH',
  'UH',
  'UT',
  'LR',
  'UR',
  'UF',
  'UC',
  'UO',
  'NR',
  'DI',
  'FI',
  'RL',
  'UAEX',
  'RLSE',
  'DC',
  'URX',
  'SI',
  'IH',
  'DPE',
  'UMSDR',
  'RFCF',
  'NFCF',
  'DT',
  'UPE',
  'NC',
  'OM',
  'DF',
  'DO',
] as const;
export type ResponseFlag = (typeof RESPONSE_FLAGS)[number];

const BIT = Object.fromEntries(RESPONSE_FLAGS.map((f, i) => [f, 2 ** i])) as Record<ResponseFlag, number>;

export function flagBit(f: ResponseFlag): number {
  return BIT[f];
}

export function formatFlags(bits: number): string {
  if (bits === 0) return '-';
  let s = '';
  for (let i = 0; i < RESPONSE_FLAGS.length; i++)
    if (bits & (2 ** i)) s = s ? `${s},${RESPONSE_FLAGS[i]}` : RESPONSE_FLAGS[i]!;
  return s;
}

export interface Headers {
  /** lowercase name → value, repeated values joined with "," */
  get(name: string): string | undefined;
}

export const NO_HEADERS: Headers = { get: () => undefined };

/** Filled in as a request progresses; one object per request. */
export class StreamInfo {
  readonly startTime = Date.now();
  readonly startNs = process.hrtime.bigint();
  endNs = 0n;
  protocol = 'HTTP/1.1';
  method = '';
  path = '';
  authority = '';
  requestHeaders: Headers = NO_HEADERS;
  responseHeaders: Headers = NO_HEADERS;
  responseTrailers: Headers = NO_HEADERS;
  responseCode = 0;
  responseCodeDetails = '';
  responseFlags = 0;
  bytesReceived = 0;
  bytesSent = 0;
  /** ms from upstream request start to first upstream byte */
  upstreamServiceTime: number | undefined;
  upstreamHost = '';
  upstreamCluster = '';
  upstreamLocalAddress = '';
  upstreamTransportFailureReason = '';
  routeName = '';
  downstreamRemoteAddress = '';
  downstreamLocalAddress = '';
  downstreamDirectRemoteAddress = '';
  requestedServerName = '';
  /** the downstream connection's TLS facts (%DOWNSTREAM_PEER_URI_SAN%, Istio's principals) */
  downstreamSsl: SslInfo | undefined = undefined;
  /** the identities of the upstream TLS connection that answered (mTLS clusters only) */
  upstreamSsl: UpstreamIdentity | undefined = undefined;
  connectionTerminationDetails = '';
  /** Istio's filter state downstream_peer / upstream_peer, set by istio.metadata_exchange */
  downstreamPeer: WorkloadMetadata | undefined = undefined;
  upstreamPeer: WorkloadMetadata | undefined = undefined;
  /** Envoy dynamic metadata: filter namespace → struct (jwt_authn payloads, RBAC shadow results) */
  readonly dynamicMetadata = new Map<string, Record<string, unknown>>();

  constructor(protocol?: string) {
    if (protocol) this.protocol = protocol;
  }

  setFlag(f: ResponseFlag): void {
    this.responseFlags |= BIT[f];
  }

  /** Merges fields into a namespace, as Envoy's setDynamicMetadata does. */
  setDynamicMetadata(ns: string, fields: Record<string, unknown>): void {
    this.dynamicMetadata.set(ns, { ...this.dynamicMetadata.get(ns), ...fields });
  }

  hasFlag(f: ResponseFlag): boolean {
    return (this.responseFlags & BIT[f]) !== 0;
  }

  durationMs(): number {
    const end = this.endNs || process.hrtime.bigint();
    return Number((end - this.startNs) / 1_000_000n);
  }
}
