// Istio's standard metrics between two real proxies: frontend's outbound HCM (metadata exchange
// + istio.stats, reporter=source) calls advertisement's inbound listener over ISTIO_MUTUAL and
// plaintext (reporter=destination); a TCP chain (istio.stats + tcp_proxy) moves bytes. Real HTTP
// and TCP clients; the result is read off /stats/prometheus exactly as Prometheus would.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  adminGet,
  indent,
  request,
  startProxy,
  startUpstream,
  staticCluster,
  type Echo,
  type Running,
} from '../helpers.js';
import {
  caSecret,
  certSecret,
  istioUpstreamTls,
  makeCa,
  sdsCluster,
  sdsRef,
  spiffe,
  startSds,
  type TestCa,
} from '../tls/fixtures.js';

const OUT_CLUSTER = 'outbound|80||advertisement.default.svc.cluster.local';
const IN_CLUSTER = 'inbound|80||advertisement.default.svc.cluster.local';

function node(ip: string, workload: string, app: string, sa: string): string {
  return `node:
  id: "sidecar~${ip}~${workload}-7d9f.default~default.svc.cluster.local"
  metadata:
    NAME: ${workload}-7d9f
    NAMESPACE: default
    WORKLOAD_NAME: ${workload}
    SERVICE_ACCOUNT: ${sa}
    CLUSTER_ID: Kubernetes
    MESH_ID: cluster.local
    ISTIO_VERSION: 1.1.0
    LABELS: {app: ${app}, version: v1, service.istio.io/canonical-name: ${app}, service.istio.io/canonical-revision: v1}`;
}

const typedStruct = (typeUrl: string, value: string): string =>
  `{"@type": type.googleapis.com/udpa.type.v1.TypedStruct, type_url: "${typeUrl}", value: ${value}}`;
const MX = 'type.googleapis.com/io.istio.http.peer_metadata.Config';
const STATS = 'type.googleapis.com/stats.PluginConfig';
const ROUTER = `{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}`;

function istioHcm(prefix: string, cluster: string, inbound: boolean, accessLog = ''): string {
  const mx = inbound
    ? '{downstream_discovery: [{istio_headers: {}}], downstream_propagation: [{istio_headers: {}}]}'
    : '{upstream_discovery: [{istio_headers: {}}], upstream_propagation: [{istio_headers: {}}]}';
  return `name: envoy.filters.network.http_connection_manager
typed_config:
  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
  stat_prefix: ${prefix}
${accessLog}  route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: "${cluster}"}}]}]}
  http_filters:
  - {name: istio.metadata_exchange, typed_config: ${typedStruct(MX, mx)}}
  - {name: istio.stats, typed_config: ${typedStruct(STATS, inbound ? '{disable_host_header_fallback: true}' : '{}')}}
  - ${ROUTER}`;
}

const inboundTls = `
name: envoy.transport_sockets.tls
typed_config:
  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
  require_client_certificate: true
  common_tls_context:
    tls_certificate_sds_secret_configs: [${sdsRef('default')}]
    combined_validation_context:
      default_validation_context: {}
      validation_context_sds_secret_config: ${sdsRef('ROOTCA')}`;

const upstreamTls = istioUpstreamTls(spiffe('advertisement'));

/** Prometheus text → samples of one metric: the label set (as text) → value. */
async function scrape(admin: number, metric: string): Promise<Map<string, number>> {
  const r = await adminGet(admin, '/stats/prometheus');
  const out = new Map<string, number>();
  for (const line of r.body.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (m && m[1] === metric) out.set(m[2]!, Number(m[3]));
  }
  return out;
}

const labelText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');

function expectedLabels(o: {
  reporter: 'source' | 'destination';
  sourcePrincipal: string;
  destinationPrincipal: string;
  destinationService: string;
  code: string;
  policy: string;
  protocol?: string;
}): Record<string, string> {
  const server = o.reporter === 'destination';
  const http = o.protocol !== 'tcp';
  return {
    reporter: o.reporter,
    source_workload: 'frontend-v1',
    source_canonical_service: 'frontend',
    source_canonical_revision: 'v1',
    source_workload_namespace: 'default',
    source_principal: o.sourcePrincipal,
    source_app: 'frontend',
    source_version: 'v1',
    source_cluster: 'Kubernetes',
    destination_workload: server || http ? 'advertisement-v1' : 'unknown',
    destination_workload_namespace: 'default',
    destination_principal: o.destinationPrincipal,
    destination_app: 'advertisement',
    destination_version: 'v1',
    destination_service: o.destinationService,
    destination_canonical_service: 'advertisement',
    destination_canonical_revision: 'v1',
    destination_service_name: 'advertisement',
    destination_service_namespace: 'default',
    destination_cluster: 'Kubernetes',
    request_protocol: o.protocol ?? 'http',
    ...(http ? { response_code: o.code, grpc_response_status: '' } : {}),
    response_flags: '-',
    connection_security_policy: o.policy,
  };
}

/** An access log of the mTLS identities, as Istio's default format carries them. */
const peerLog = (path: string): string =>
  `  access_log: [{name: envoy.access_loggers.file, typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog, path: "${path}", log_format: {text_format_source: {inline_string: "peer=%DOWNSTREAM_PEER_URI_SAN% local=%DOWNSTREAM_LOCAL_URI_SAN%\\n"}}}}]\n`;

describe('istio.stats and istio.metadata_exchange between two proxies', () => {
  const accessLogFile = join(mkdtempSync(join(tmpdir(), 'weft-istio-stats-')), 'inbound.log');
  let ca: TestCa;
  let sdsServer: Awaited<ReturnType<typeof startSds>>;
  let sdsClient: Awaited<ReturnType<typeof startSds>>;
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let echo: net.Server;
  let server: Running;
  let client: Running;

  before(async () => {
    ca = await makeCa();
    [sdsServer, sdsClient] = await Promise.all([startSds(), startSds()]);
    sdsServer.sds.set(certSecret('default', await ca.issue('advertisement')), caSecret('ROOTCA', ca.root));
    sdsClient.sds.set(certSecret('default', await ca.issue('frontend')), caSecret('ROOTCA', ca.root));
    app = await startUpstream('advertisement');
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const echoPort = (echo.address() as net.AddressInfo).port;
    server = await startProxy(`
${node('127.0.0.2', 'advertisement-v1', 'advertisement', 'advertisement')}
static_resources:
  listeners:
  - name: inbound_mtls
    traffic_direction: INBOUND
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - transport_socket:
${indent(inboundTls, 8)}
      filters:
      - ${indent(istioHcm('inbound_0.0.0.0_80', IN_CLUSTER, true, peerLog(accessLogFile)), 8).trimStart()}
  - name: inbound_plain
    traffic_direction: INBOUND
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - ${indent(istioHcm('inbound_0.0.0.0_80', IN_CLUSTER, true), 8).trimStart()}
  - name: inbound_tcp
    traffic_direction: INBOUND
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - {name: istio.stats, typed_config: ${typedStruct(STATS, '{disable_host_header_fallback: true}')}}
      - {name: envoy.filters.network.tcp_proxy, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: "inbound|9000||", cluster: "inbound|9000||advertisement.default.svc.cluster.local"}}
  clusters:
${indent(staticCluster(IN_CLUSTER, [app.port]), 2)}
${indent(staticCluster('inbound|9000||advertisement.default.svc.cluster.local', [echoPort]), 2)}
${indent(sdsCluster(sdsServer.port), 2)}
`);
    client = await startProxy(`
${node('127.0.0.3', 'frontend-v1', 'frontend', 'frontend')}
static_resources:
  listeners:
  - name: outbound_mtls
    traffic_direction: OUTBOUND
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - ${indent(istioHcm('outbound_0.0.0.0_80', OUT_CLUSTER, false), 8).trimStart()}
  - name: outbound_plain
    traffic_direction: OUTBOUND
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - ${indent(istioHcm('outbound_0.0.0.0_80', 'plain', false), 8).trimStart()}
  clusters:
${indent(staticCluster(OUT_CLUSTER, [await server.port('inbound_mtls')], upstreamTls), 2)}
${indent(staticCluster('plain', [await server.port('inbound_plain')]), 2)}
${indent(sdsCluster(sdsClient.port), 2)}
`);
  });
  after(async () => {
    await client.stop();
    await server.stop();
    sdsServer.close();
    sdsClient.close();
    await app.close();
    echo.close();
    await ca.close();
  });

  it('mTLS: both reporters count every request with Istio labels and both principals; the exchange headers stay between the proxies', async () => {
    const port = await client.port('outbound_mtls');
    for (let i = 0; i < 7; i++) {
      const r = await request(port, '/ads', { headers: { host: 'advertisement.default:80' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-envoy-peer-metadata'], undefined, 'client must not see the exchange');
      assert.equal(r.headers['x-envoy-peer-metadata-id'], undefined);
      const seen = (JSON.parse(r.body) as Echo).headers;
      assert.equal(seen['x-envoy-peer-metadata'], undefined, 'the app must not see the exchange');
      assert.equal(seen['x-envoy-peer-metadata-id'], undefined);
    }
    const dest = await scrape(server.admin, 'istio_requests_total');
    const destLabels = labelText(
      expectedLabels({
        reporter: 'destination',
        sourcePrincipal: spiffe('frontend'),
        destinationPrincipal: spiffe('advertisement'),
        destinationService: 'advertisement.default.svc.cluster.local',
        code: '200',
        policy: 'mutual_tls',
      }),
    );
    assert.equal(dest.get(destLabels), 7, [...dest.keys()].join('\n'));

    const src = await scrape(client.admin, 'istio_requests_total');
    const srcLabels = labelText(
      expectedLabels({
        reporter: 'source',
        sourcePrincipal: spiffe('frontend'),
        destinationPrincipal: spiffe('advertisement'),
        destinationService: 'advertisement.default.svc.cluster.local',
        code: '200',
        policy: 'unknown',
      }),
    );
    assert.equal(src.get(srcLabels), 7, [...src.keys()].join('\n'));

    const duration = await scrape(server.admin, 'istio_request_duration_milliseconds_count');
    assert.equal(duration.get(destLabels), 7);
    const le = await scrape(server.admin, 'istio_response_bytes_bucket');
    assert.equal(le.get(`${destLabels},le="+Inf"`), 7);

    // The same identities reach the access log (written through a stream: wait for the lines).
    let logged: string[] = [];
    for (let i = 0; i < 100 && logged.length < 7; i++) {
      logged = readFileSync(accessLogFile, 'utf8').split('\n').filter(Boolean);
      if (logged.length < 7) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(logged.length, 7);
    assert.equal(logged[0], `peer=${spiffe('frontend')} local=${spiffe('advertisement')}`);
  });

  it('plaintext: connection_security_policy none, principals unknown, 404 counted under its code', async () => {
    const port = await client.port('outbound_plain');
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await request(port, '/status/404', { headers: { host: 'advertisement.default:80' } })).status,
        404,
      );
    const dest = await scrape(server.admin, 'istio_requests_total');
    const labels = labelText(
      expectedLabels({
        reporter: 'destination',
        sourcePrincipal: 'unknown',
        destinationPrincipal: 'unknown',
        destinationService: 'advertisement.default.svc.cluster.local',
        code: '404',
        policy: 'none',
      }),
    );
    // Without a certificate the namespace comes from the exchanged metadata.
    assert.equal(dest.get(labels), 3, [...dest.keys()].join('\n'));
  });

  it('TCP: connections opened and closed, bytes each way', async () => {
    const port = await server.port('inbound_tcp');
    const payload = Buffer.alloc(1000, 7);
    const got = await new Promise<number>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(payload));
      let n = 0;
      s.on('data', (c: Buffer) => {
        n += c.length;
        if (n >= payload.length) s.end();
      });
      s.on('close', () => resolve(n));
      s.on('error', reject);
    });
    assert.equal(got, 1000);
    const labels = labelText({
      reporter: 'destination',
      source_workload: 'unknown',
      source_canonical_service: 'unknown',
      source_canonical_revision: 'latest',
      source_workload_namespace: 'unknown',
      source_principal: 'unknown',
      source_app: 'unknown',
      source_version: 'unknown',
      source_cluster: 'unknown',
      destination_workload: 'advertisement-v1',
      destination_workload_namespace: 'default',
      destination_principal: 'unknown',
      destination_app: 'advertisement',
      destination_version: 'v1',
      destination_service: 'advertisement.default.svc.cluster.local',
      destination_canonical_service: 'advertisement',
      destination_canonical_revision: 'v1',
      destination_service_name: 'advertisement',
      destination_service_namespace: 'default',
      destination_cluster: 'Kubernetes',
      request_protocol: 'tcp',
      response_flags: '-',
      connection_security_policy: 'none',
    });
    // The proxy sees the close right after the client does; poll briefly.
    let closed: number | undefined;
    for (let i = 0; i < 50 && closed !== 1; i++) {
      closed = (await scrape(server.admin, 'istio_tcp_connections_closed_total')).get(labels);
      if (closed !== 1) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(closed, 1);
    assert.equal((await scrape(server.admin, 'istio_tcp_connections_opened_total')).get(labels), 1);
    assert.equal((await scrape(server.admin, 'istio_tcp_received_bytes_total')).get(labels), 1000);
    assert.equal((await scrape(server.admin, 'istio_tcp_sent_bytes_total')).get(labels), 1000);
  });
});
