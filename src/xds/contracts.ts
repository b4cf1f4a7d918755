// The seams of the control plane: what a generator is given and returns, and what a push is.
// The ADS server (src/xds/server) speaks the protocol; generators (src/xds/generators) decide
// what a proxy gets (go-control-plane's cache/server split; Istio's per-type generators).
import type { TypeUrl } from './type-urls.js';

/** A connected proxy as the control plane models it, read from its Envoy Node (id + metadata). */
export interface ProxyInfo {
  /** Envoy node id, e.g. sidecar~10.244.0.5~reviews-v1-1.default~default.svc.cluster.local */
  id: string;
  type: 'sidecar' | 'router';
  ipAddresses: string[];
  /** pod name (or gateway instance name) from the node id */
  podName: string;
  namespace: string;
  /** DNS domain from the node id, e.g. default.svc.cluster.local */
  dnsDomain: string;
  labels: Record<string, string>;
  serviceAccount?: string;
  workloadName?: string;
  /** region/zone/subzone from the Envoy Node's locality (locality-aware EDS priorities). */
  locality?: string;
  /** Node metadata as Istio's agent sends it (ISTIO_VERSION, GENERATOR, INTERCEPTION_MODE, …). */
  metadata: Record<string, unknown>;
  /** true for proxyless gRPC clients (GENERATOR=grpc or listener names like host:port). */
  proxyless: boolean;
}

/** Why a push happens and what it touches; merged while debouncing. */
export interface PushRequest {
  /** Full push (config changed) vs endpoint-only (EDS) push. */
  full: boolean;
  /** Config keys changed, "Kind/namespace/name". Empty with full=true means everything. */
  configsUpdated: Set<string>;
  /** Service hostnames whose endpoints changed (EDS-only pushes). */
  edsUpdates: Set<string>;
  reasons: string[];
  /** When the first triggering event happened (ms since epoch), for convergence metrics. */
  start: number;
}

/** One xDS resource as a JSON-shaped proto message of its type URL (proto field names). */
export interface XdsResource {
  name: string;
  resource: object;
}

export interface GenerateRequest<Push = unknown> {
  proxy: ProxyInfo;
  push: Push;
  /** Names the proxy subscribed to; undefined means wildcard (all). */
  names?: readonly string[];
  /** The push that triggered generation; undefined on a proxy's first request. */
  update?: PushRequest;
}

export interface Generator<Push = unknown> {
  typeUrl: TypeUrl;
  generate(req: GenerateRequest<Push>): XdsResource[];
  /** Whether this push can change what this proxy gets of this type (skip work when false). */
  needsPush?(proxy: ProxyInfo, update: PushRequest, push: Push): boolean;
  /**
   * Proxies with equal keys get identical output from one push context for the same names and
   * update, so the server generates once per key and shares the objects (and their encoded bytes)
   * across them, like Istio's XdsCache. The output may depend on the update only through `full`
   * and `edsUpdates`. Omit it and every proxy is generated for on its own.
   */
  scopeKey?(proxy: ProxyInfo, push: Push): string;
}
