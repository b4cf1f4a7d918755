// virtualInbound filter chains of one inbound port by its mTLS mode (Istio filterchain_options.go):
// HTTP — STRICT: TLS only; PERMISSIVE: mesh mTLS (TLS + Istio ALPN) and plaintext; DISABLE: plaintext.
// TCP — the same, plus, in PERMISSIVE, TLS without Istio ALPN passed through untouched (the app's own
// TLS). Mesh mTLS presents SDS `default` and requires a client certificate from SDS `ROOTCA`.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { isHttpProtocol } from '../../../registry/model.js';
import { bool, clusterName, Filters, typed, Types } from '../common.js';
import { sdsSecret, SDS_DEFAULT_CERT, SDS_ROOT_CA } from '../cluster/tls.js';
import { httpSecurityFilters, inboundMtlsMode, tcpSecurityFilters } from '../security/inbound.js';
import type { InboundPort } from './inbound-ports.js';
import { policyCheckFilters, policyCheckNetworkFilters } from './policy-check.js';
import { httpConnectionManager, tcpFilters as tcpProxyFilters } from './network-filters.js';

/** ALPN an Istio client offers over mesh mTLS (Istio allIstioMtlsALPNs). */
export const MESH_MTLS_ALPN = [
  'istio',
  'istio-peer-exchange',
  'istio-http/1.0',
  'istio-http/1.1',
  'istio-h2',
];

export function inboundFilterChains(proxy: ProxyInfo, push: PushContext, p: InboundPort): object[] {
  const http = isHttpProtocol(p.protocol);
  const mode = inboundMtlsMode(proxy, push, p.policy);
  const filters = http ? httpFilters(proxy, push, p) : tcpFilters(proxy, push, p);
  const name = clusterName('inbound', p.port, '', p.host);
  const port = { destination_port: { value: p.targetPort } };
  const mtls = (alpn?: string[]) => ({
    name: `${name}-mtls`,
    filter_chain_match: {
      ...port,
      transport_protocol: 'tls',
      ...(alpn ? { application_protocols: alpn } : {}),
    },
    transport_socket: downstreamMtls(http),
    filters,
  });
  const plaintext = { name, filter_chain_match: { ...port, transport_protocol: 'raw_buffer' }, filters };
  if (mode === 'STRICT') return [mtls()];
  if (mode === 'DISABLE') return [plaintext];
  const appTls = { name: `${name}-tls`, filter_chain_match: { ...port, transport_protocol: 'tls' }, filters };
  return http ? [mtls(MESH_MTLS_ALPN), plaintext] : [mtls(MESH_MTLS_ALPN), appTls, plaintext];
}

function httpFilters(proxy: ProxyInfo, push: PushContext, p: InboundPort): object[] {
  const cluster = clusterName('inbound', p.port, '', p.host);
  const routeConfig = {
    name: cluster,
    virtual_hosts: [
      {
        name: `inbound|http|${p.port}`,
        domains: ['*'],
        routes: [
          { name: 'default', match: { prefix: '/' }, route: { cluster, timeout: { seconds: 0, nanos: 0 } } },
        ],
      },
    ],
    validate_clusters: { value: false },
  };
  return [
    httpConnectionManager(push, {
      statPrefix: `inbound_0.0.0.0_${p.targetPort}`,
      routeConfig,
      inbound: true,
      // Istio 1.1 plugin order: authn, authz, then mixer.
      security: [...httpSecurityFilters(proxy, push, p.policy), ...policyCheckFilters(proxy, push)],
    }),
  ];
}

function tcpFilters(proxy: ProxyInfo, push: PushContext, p: InboundPort): object[] {
  const cluster = clusterName('inbound', p.port, '', p.host);
  return [
    ...tcpSecurityFilters(proxy, push, p.policy),
    ...policyCheckNetworkFilters(proxy, push),
    ...tcpProxyFilters(push, cluster, cluster, 'sidecar-inbound'),
  ];
}

/** Istio's inbound mTLS context: TLS 1.2–1.3, client certificate required and checked against ROOTCA. */
function downstreamMtls(http: boolean): object {
  return {
    name: Filters.tls,
    typed_config: typed(Types.downstreamTls, {
      common_tls_context: {
        tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' },
        tls_certificate_sds_secret_configs: [sdsSecret(SDS_DEFAULT_CERT)],
        combined_validation_context: {
          default_validation_context: {},
          validation_context_sds_secret_config: sdsSecret(SDS_ROOT_CA),
        },
        alpn_protocols: http ? ['h2', 'http/1.1'] : ['istio-peer-exchange', 'h2', 'http/1.1'],
      },
      require_client_certificate: bool(true),
    }),
  };
}
