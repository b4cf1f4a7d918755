// Istio's telemetry filters, as its control plane configures them: istio.metadata_exchange first
// in every sidecar and gateway HTTP filter chain, istio.stats before the router and before
// tcp_proxy. Both are istio/proxy filters, so their configs travel in a TypedStruct. The stats
// reporter follows the listener's traffic_direction (INBOUND: destination; outbound and gateway
// listeners, which are OUTBOUND: source).
import { Filters, typedStruct } from '../common.js';

/** Istio's ListenerClass: what the telemetry filters are configured for. */
export type ListenerClass = 'sidecar-inbound' | 'sidecar-outbound' | 'gateway';

const PEER_METADATA = 'type.googleapis.com/io.istio.http.peer_metadata.Config';
const STATS = 'type.googleapis.com/stats.PluginConfig';

/**
 * Inbound learns the caller from the request headers and answers with its own metadata; outbound
 * and gateways send theirs upstream and learn the callee from the response. Discovery lists
 * workload_discovery after the headers as Istio does (ambient's lookup by address, which finds
 * nothing without a workload metadata provider).
 */
export function metadataExchangeFilter(cls: ListenerClass): object {
  const headers = [{ istio_headers: {} }];
  const discovery = [...headers, { workload_discovery: {} }];
  const config =
    cls === 'sidecar-inbound'
      ? { downstream_discovery: discovery, downstream_propagation: headers }
      : { upstream_discovery: discovery, upstream_propagation: headers };
  return { name: Filters.istioMetadataExchange, typed_config: typedStruct(PEER_METADATA, config) };
}

/** Inbound and gateway listeners name the service from the cluster only, never the Host header. */
export function statsFilter(cls: ListenerClass): object {
  const config = cls === 'sidecar-outbound' ? {} : { disable_host_header_fallback: true };
  return { name: Filters.istioStats, typed_config: typedStruct(STATS, config) };
}
