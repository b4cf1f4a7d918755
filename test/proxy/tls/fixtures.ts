// TLS test fixtures: a real CA (src/ca) issuing SPIFFE and DNS certificates, the agent's SDS
// server on loopback, bootstrap snippets for TLS listeners and clusters, and an HTTPS client
// that reports the handshake error or the response.
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority } from '../../../src/ca/authority.js';
import { createCsr } from '../../../src/ca/csr.js';
import type { Identity } from '../../../src/ca/spiffe.js';
import { rootSecret } from '../../../src/agent/sds/secrets.js';
import { SdsServer } from '../../../src/agent/sds/server.js';
import { indent, staticCluster } from '../helpers.js';

export interface Issued {
  certChainPem: string;
  keyPem: string;
  rootPem: string;
}

export interface TestCa {
  ca: CertificateAuthority;
  root: string;
  issue(sa: string, dnsNames?: string[]): Promise<Issued>;
  close(): Promise<void>;
}

export async function makeCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-tls-ca-'));
  const ca = await CertificateAuthority.loadOrCreate(dir);
  const root = ca.trustBundle().join('');
  return {
    ca,
    root,
    async issue(sa, dnsNames = []) {
      const id: Identity = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: sa };
      const { keyPem, csrPem } = await createCsr(id, dnsNames);
      const chain = await ca.sign(csrPem, id, { dnsNames });
      return { certChainPem: chain.slice(0, -1).join('') || chain[0]!, keyPem, rootPem: root };
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

export const spiffe = (sa: string): string => `spiffe://cluster.local/ns/default/sa/${sa}`;

/** A Secret resource as the agent or control plane serves it. */
export function certSecret(name: string, c: Issued): { name: string; [k: string]: unknown } {
  return {
    name,
    tls_certificate: {
      certificate_chain: { inline_bytes: Buffer.from(c.certChainPem) },
      private_key: { inline_bytes: Buffer.from(c.keyPem) },
    },
  };
}

export function caSecret(name: string, rootPem: string): { name: string; [k: string]: unknown } {
  return { ...rootSecret(rootPem), name };
}

/** The agent's SDS server on 127.0.0.1 (as `sds-grpc` reaches it over its UDS in Istio). */
export async function startSds(): Promise<{ sds: SdsServer; port: number; close(): void }> {
  const sds = new SdsServer();
  const server = new grpc.Server();
  sds.addTo(server);
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  return { sds, port, close: () => server.forceShutdown() };
}

/** The static `sds-grpc` cluster Istio's bootstrap defines. */
export function sdsCluster(port: number): string {
  return `
- name: sds-grpc
  type: STATIC
  connect_timeout: 1s
  typed_extension_protocol_options:
    envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
      "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
      explicit_http_config: {http2_protocol_options: {}}
  load_assignment:
    cluster_name: sds-grpc
    endpoints:
    - lb_endpoints:
      - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${port}}}}`;
}

/** An SDS secret config as Istio writes it (sds-grpc), or a static one when sds is false. */
export function sdsRef(name: string, sds = true): string {
  return sds
    ? `{name: "${name}", sds_config: {api_config_source: {api_type: GRPC, transport_api_version: V3, grpc_services: [{envoy_grpc: {cluster_name: sds-grpc}}]}, resource_api_version: V3}}`
    : `{name: "${name}"}`;
}

export interface HttpsResult {
  status?: number;
  body?: string;
  error?: string;
}

/** One HTTPS GET; resolves with the response or the client-side error code. */
export function httpsGet(
  port: number,
  opts: {
    ca?: string;
    cert?: string;
    key?: string;
    servername?: string;
    agent?: https.Agent;
    path?: string;
    /** Skip the host name check (mesh certificates carry only a SPIFFE URI). */
    anyServerName?: boolean;
  } = {},
): Promise<HttpsResult> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        servername: opts.servername ?? 'www.weather.com',
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        agent: opts.agent ?? false,
        ...(opts.anyServerName ? { checkServerIdentity: () => undefined } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (e: Error & { code?: string }) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: Error & { code?: string }) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

/** A listener named "https" terminating TLS with `tlsContext`, routing everything to `backend`. */
export function tlsListener(tlsContext: string, name = 'https', extraChain = ''): string {
  return `
  - name: ${name}
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
${tlsContext.replace(/^/gm, '          ')}
      filters:
      - ${hcm('backend')}
${extraChain}`;
}

/** `extra`: more HttpConnectionManager fields, one `key: value` per line. */
export function hcm(cluster: string, prefix = 'ingress', extra: readonly string[] = []): string {
  return `name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ${prefix}
${extra.map((l) => `          ${l}\n`).join('')}          route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: ${cluster}}}]}]}
          http_filters: [{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]`;
}

/**
 * A bootstrap whose one listener is tlsListener(tlsContext), "https", routing to cluster
 * "backend" on 127.0.0.1:`backendPort`. `secrets`: static_resources.secrets list items;
 * `sdsPort`: adds the SDS cluster (sdsCluster) reaching the agent's SDS server there.
 */
export function tlsBootstrap(opts: {
  node: string;
  tlsContext: string;
  backendPort: number;
  secrets?: string;
  sdsPort?: number;
}): string {
  return `
node: ${opts.node}
static_resources:
${opts.secrets ? `  secrets:\n${indent(opts.secrets, 2)}\n` : ''}  listeners:
${tlsListener(opts.tlsContext)}
  clusters:
${indent(staticCluster('backend', [opts.backendPort]), 2)}
${opts.sdsPort === undefined ? '' : indent(sdsCluster(opts.sdsPort), 2)}
`;
}

/** A static_resources.secrets list item: certificate `c` and its key inline. */
export function inlineCertSecret(name: string, c: Issued): string {
  return `
- name: ${name}
  tls_certificate:
    certificate_chain: {inline_string: ${JSON.stringify(c.certChainPem)}}
    private_key: {inline_string: ${JSON.stringify(c.keyPem)}}`;
}

/**
 * A cluster's transport_socket as Istio sets it for mTLS to a sidecar: the SDS `default`
 * certificate, the `ROOTCA` validation context checking the URI SAN `san`, Istio's ALPN, and
 * `sni` when given.
 */
export function istioUpstreamTls(san: string, sni?: string): string {
  return `transport_socket:
  name: envoy.transport_sockets.tls
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
${sni ? `    sni: ${sni}\n` : ''}    common_tls_context:
      alpn_protocols: [istio-peer-exchange, istio]
      tls_certificate_sds_secret_configs: [${sdsRef('default')}]
      combined_validation_context:
        default_validation_context: {match_typed_subject_alt_names: [{san_type: URI, matcher: {exact: "${san}"}}]}
        validation_context_sds_secret_config: ${sdsRef('ROOTCA')}`;
}
