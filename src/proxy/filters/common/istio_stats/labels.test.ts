import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StatsStore } from '../../../stats/store.js';
import { istioLabels, serviceOfCluster, type LabelInput } from './labels.js';
import { IstioStats } from './metrics.js';
import { decodePeerMetadata, encodePeerMetadata, workloadFromMetadata } from './workload-metadata.js';

const frontend = workloadFromMetadata({
  NAME: 'frontend-v1-abc',
  NAMESPACE: 'weather',
  WORKLOAD_NAME: 'frontend-v1',
  CLUSTER_ID: 'Kubernetes',
  LABELS: {
    app: 'frontend',
    version: 'v1',
    'service.istio.io/canonical-name': 'frontend',
    'service.istio.io/canonical-revision': 'v1',
  },
});
const advertisement = workloadFromMetadata({
  NAMESPACE: 'weather',
  WORKLOAD_NAME: 'advertisement-v1',
  CLUSTER_ID: 'Kubernetes',
  LABELS: { app: 'advertisement', version: 'v1', 'service.istio.io/canonical-name': 'advertisement' },
});
const AD = { host: 'advertisement.weather.svc.cluster.local', name: 'advertisement' };
const SAN = (sa: string): string => `spiffe://cluster.local/ns/weather/sa/${sa}`;

const http = (o: Partial<LabelInput>): Record<string, string> =>
  Object.fromEntries(
    istioLabels({
      reporter: 'destination',
      local: advertisement,
      peer: frontend,
      peerSan: '',
      localSan: '',
      service: AD,
      protocol: 'http',
      responseCode: 200,
      responseFlags: '-',
      ...o,
    }),
  );

describe('Istio standard labels', () => {
  test('destination reporter over mTLS: peer from metadata exchange, principals from the certificate', () => {
    const labels = istioLabels({
      reporter: 'destination',
      local: advertisement,
      peer: frontend,
      peerSan: SAN('weather-frontend'),
      localSan: SAN('weather-advertisement'),
      service: AD,
      protocol: 'http',
      responseCode: 200,
      responseFlags: '-',
    });
    assert.deepEqual(labels, [
      ['reporter', 'destination'],
      ['source_workload', 'frontend-v1'],
      ['source_canonical_service', 'frontend'],
      ['source_canonical_revision', 'v1'],
      ['source_workload_namespace', 'weather'],
      ['source_principal', SAN('weather-frontend')],
      ['source_app', 'frontend'],
      ['source_version', 'v1'],
      ['source_cluster', 'Kubernetes'],
      ['destination_workload', 'advertisement-v1'],
      ['destination_workload_namespace', 'weather'],
      ['destination_principal', SAN('weather-advertisement')],
      ['destination_app', 'advertisement'],
      ['destination_version', 'v1'],
      ['destination_service', 'advertisement.weather.svc.cluster.local'],
      ['destination_canonical_service', 'advertisement'],
      ['destination_canonical_revision', ''],
      ['destination_service_name', 'advertisement'],
      ['destination_service_namespace', 'weather'],
      ['destination_cluster', 'Kubernetes'],
      ['request_protocol', 'http'],
      ['response_code', '200'],
      ['grpc_response_status', ''],
      ['response_flags', '-'],
      ['connection_security_policy', 'mutual_tls'],
    ]);
  });

  test('destination reporter in plaintext without a peer: unknown, latest, none', () => {
    const l = http({ peer: undefined, responseCode: 503, responseFlags: 'UF,URX' });
    assert.equal(l.source_workload, 'unknown');
    assert.equal(l.source_canonical_revision, 'latest');
    assert.equal(l.source_workload_namespace, 'unknown');
    assert.equal(l.source_principal, 'unknown');
    assert.equal(l.destination_principal, 'unknown');
    assert.equal(l.response_code, '503');
    assert.equal(l.response_flags, 'UF,URX');
    assert.equal(l.connection_security_policy, 'none');
  });

  test("the caller's namespace comes from its SPIFFE id before its metadata", () => {
    const l = http({ peerSan: 'spiffe://cluster.local/ns/legacy/sa/sleep', localSan: SAN('x') });
    assert.equal(l.source_workload_namespace, 'legacy');
    assert.equal(http({ peerSan: '' }).source_workload_namespace, 'weather');
  });

  test('source reporter: this workload is the source; the peer (from the response) the destination', () => {
    const l = http({ reporter: 'source', local: frontend, peer: advertisement, peerSan: '', localSan: '' });
    assert.equal(l.reporter, 'source');
    assert.equal(l.source_workload, 'frontend-v1');
    assert.equal(l.source_principal, 'unknown');
    assert.equal(l.destination_workload, 'advertisement-v1');
    assert.equal(l.destination_version, 'v1');
    assert.equal(l.destination_canonical_revision, 'latest');
    assert.equal(l.destination_service_namespace, 'weather');
    assert.equal(l.connection_security_policy, 'unknown');
    const none = http({
      reporter: 'source',
      local: frontend,
      peer: undefined,
      service: { host: '', name: '' },
    });
    assert.equal(none.destination_workload, 'unknown');
    assert.equal(none.destination_service, 'unknown');
    assert.equal(none.destination_service_name, 'unknown');
  });

  test('gRPC carries its status; TCP has no response code or gRPC status', () => {
    assert.equal(http({ protocol: 'grpc', grpcStatus: 14 }).grpc_response_status, '14');
    assert.equal(http({ protocol: 'grpc' }).request_protocol, 'grpc');
    const tcp = istioLabels({
      reporter: 'destination',
      local: advertisement,
      peer: undefined,
      peerSan: '',
      localSan: '',
      service: AD,
      protocol: 'tcp',
      responseFlags: '-',
    }).map(([k]) => k);
    assert.deepEqual(tcp.slice(-3), ['request_protocol', 'response_flags', 'connection_security_policy']);
  });
});

describe('destination service', () => {
  test('from Istio cluster names (outbound, inbound, SNI); a ServiceEntry host is its own name', () => {
    assert.deepEqual(serviceOfCluster('outbound|3003|v1|advertisement.weather.svc.cluster.local'), AD);
    assert.deepEqual(serviceOfCluster('inbound|3003||advertisement.weather.svc.cluster.local'), AD);
    assert.deepEqual(serviceOfCluster('outbound_.3003_._.advertisement.weather.svc.cluster.local'), AD);
    assert.deepEqual(serviceOfCluster('outbound|443||api.example.com'), {
      host: 'api.example.com',
      name: 'api.example.com',
    });
    assert.equal(serviceOfCluster('PassthroughCluster'), undefined);
  });

  test('passthrough and blackhole: the cluster (or route) names it; the Host header only where allowed', () => {
    const node = { metadata: { fields: {} } };
    const out = new IstioStats(new StatsStore(), node, 'OUTBOUND', {
      disableHostHeaderFallback: false,
      reporter: 'UNSPECIFIED',
      tcpReportingMs: 0,
    });
    assert.deepEqual(out.service('PassthroughCluster', 'allow_any', 'example.com'), {
      host: 'example.com',
      name: 'PassthroughCluster',
    });
    assert.deepEqual(out.service('BlackHoleCluster', 'block_all', 'x'), {
      host: 'x',
      name: 'BlackHoleCluster',
    });
    assert.deepEqual(out.service('', '', 'a.b:80'), { host: 'a.b:80', name: 'a.b:80' });
    assert.equal(
      out.service('outbound|1||a.b.svc.cluster.local', '', 'z'),
      out.service('outbound|1||a.b.svc.cluster.local', '', 'y'),
    );
    const inbound = new IstioStats(new StatsStore(), node, 'INBOUND', {
      disableHostHeaderFallback: true,
      reporter: 'UNSPECIFIED',
      tcpReportingMs: 0,
    });
    assert.equal(inbound.reporter, 'destination');
    assert.deepEqual(inbound.service('InboundPassthroughClusterIpv4', '', 'evil'), {
      host: '',
      name: 'InboundPassthroughClusterIpv4',
    });
  });
});

describe('peer metadata header', () => {
  test('round-trips the fields stats use, and decodes each distinct value once', () => {
    const header = encodePeerMetadata(frontend);
    const peer = decodePeerMetadata(header);
    assert.deepEqual(peer, { ...frontend });
    assert.equal(decodePeerMetadata(header), peer, 'cached by header value');
    assert.equal(decodePeerMetadata('not a struct!'), undefined);
  });
});
