// Fixtures for the security-filter tests: a one-listener bootstrap with chosen HTTP filters before
// the router (optionally behind TLS) and an access log of path, status, flags and details.
import { indent } from '../helpers.js';

export { countingUpstream, logLines, tempLog, type CountingUpstream } from '../resilience/fixtures.js';

const ROUTER = `
- name: envoy.filters.http.router
  typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}`;

export const ALL_TO_BACKEND = `
virtual_hosts:
- name: all
  domains: ["*"]
  routes: [{match: {prefix: /}, route: {cluster: backend}}]`;

/** An HTTP RBAC filter entry (YAML list item) with `body` as its typed_config fields. */
export function rbac(body: string): string {
  return `
- name: envoy.filters.http.rbac
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
${indent(body, 4)}
`;
}

/**
 * Bootstrap with listener "http"; `filters` is YAML list items placed before the router;
 * `transport` a transport_socket for the chain; `clusters` YAML list items.
 */
export function bootstrap(opts: {
  clusters: string;
  log: string;
  filters?: string;
  routes?: string;
  transport?: string;
  hcmExtra?: string;
}): string {
  return `
node: {id: test, cluster: test}
static_resources:
  listeners:
  - name: http
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - ${opts.transport ? indent(opts.transport, 6).trimStart() : ''}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
${indent(opts.hcmExtra ?? '', 10)}
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${opts.log}
              log_format: {text_format: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n"}
          route_config:
${indent(opts.routes ?? ALL_TO_BACKEND, 12)}
          http_filters:
${indent((opts.filters ?? '') + ROUTER, 10)}
  clusters:
${indent(opts.clusters, 2)}
`;
}
