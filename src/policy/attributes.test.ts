import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAttributes } from './attributes.js';
import type { WorkloadDirectory } from './workloads.js';

const directory: WorkloadDirectory = {
  workloadAt: (ip) =>
    ip === '10.244.0.5'
      ? {
          name: 'frontend-v1-abc',
          namespace: 'weather',
          labels: { app: 'frontend' },
          serviceAccount: 'weather-frontend',
          workloadName: 'frontend-v1',
        }
      : ip === '10.244.0.9'
        ? { name: 'advertisement-v1-def', namespace: 'weather', labels: { app: 'advertisement' } }
        : undefined,
  servicesAt: (ip, port) =>
    ip === '10.244.0.9' && port === 3003
      ? [
          {
            hostname: 'advertisement.weather.svc.cluster.local',
            name: 'advertisement',
            namespace: 'weather',
            addresses: [],
            ports: [],
            labels: {},
            exportTo: [],
            resolution: 'ClientSideLB',
            meshExternal: false,
            serviceAccounts: [],
            registry: 'Kubernetes',
          },
        ]
      : [],
};

const request = (headers: Record<string, string>, principal = '') => ({
  source: { address: { socket_address: { address: '10.244.0.5', port_value: 41000 } }, principal },
  destination: { address: { socket_address: { address: '10.244.0.9', port_value: 3003 } } },
  request: {
    time: { seconds: '1700000000', nanos: 5_000_000 },
    http: {
      method: 'GET',
      path: '/ad?x=1&y=2',
      host: 'advertisement:3003',
      scheme: 'http',
      id: 'r-1',
      headers,
    },
  },
});

test('a CheckRequest becomes Istio 1.1 attributes: pods by address, service by port, request.*', () => {
  const bag = checkAttributes(
    request(
      {
        ':authority': 'advertisement:3003',
        ':path': '/ad?x=1&y=2',
        'user-agent': 'curl/8',
        referer: 'http://f/',
      },
      'spiffe://cluster.local/ns/weather/sa/weather-frontend',
    ),
    directory,
  );
  assert.deepEqual(Object.fromEntries([...bag].filter(([k]) => k !== 'context.time')), {
    'source.ip': '10.244.0.5',
    'source.uid': 'kubernetes://frontend-v1-abc.weather',
    'source.name': 'frontend-v1-abc',
    'source.namespace': 'weather',
    'source.labels': { app: 'frontend' },
    'source.serviceAccount': 'weather-frontend',
    'source.workload.name': 'frontend-v1',
    'source.workload.namespace': 'weather',
    'source.workload.uid': 'istio://weather/workloads/frontend-v1',
    'source.owner': 'kubernetes://apis/apps/v1/namespaces/weather/deployments/frontend-v1',
    'source.principal': 'cluster.local/ns/weather/sa/weather-frontend',
    'source.user': 'cluster.local/ns/weather/sa/weather-frontend',
    'connection.mtls': true,
    'destination.ip': '10.244.0.9',
    'destination.port': 3003,
    'destination.uid': 'kubernetes://advertisement-v1-def.weather',
    'destination.name': 'advertisement-v1-def',
    'destination.namespace': 'weather',
    'destination.labels': { app: 'advertisement' },
    'destination.service.host': 'advertisement.weather.svc.cluster.local',
    'destination.service.name': 'advertisement',
    'destination.service.namespace': 'weather',
    'destination.service.uid': 'istio://weather/services/advertisement',
    'request.headers': {
      ':authority': 'advertisement:3003',
      ':path': '/ad?x=1&y=2',
      'user-agent': 'curl/8',
      referer: 'http://f/',
    },
    'request.host': 'advertisement:3003',
    'request.method': 'GET',
    'request.path': '/ad?x=1&y=2',
    'request.url_path': '/ad',
    'request.query_params': { x: '1', y: '2' },
    'request.scheme': 'http',
    'request.time': new Date(1_700_000_000_005),
    'request.id': 'r-1',
    'request.useragent': 'curl/8',
    'request.referer': 'http://f/',
    'context.protocol': 'http',
    'context.reporter.kind': 'inbound',
  });
});

test('plaintext callers have no principal; gRPC requests are context.protocol grpc', () => {
  const bag = checkAttributes(request({ 'content-type': 'application/grpc+proto' }), directory);
  assert.equal(bag.has('source.principal'), false);
  assert.equal(bag.get('connection.mtls'), false);
  assert.equal(bag.get('context.protocol'), 'grpc');
  assert.equal(bag.has('request.useragent'), false);
});

test('a TCP connection (network ext_authz: no request) is context.protocol tcp with no request.* attributes', () => {
  const { request: _none, ...connection } = request({}, 'spiffe://cluster.local/ns/weather/sa/frontend');
  const bag = checkAttributes(connection, directory);
  assert.equal(bag.get('context.protocol'), 'tcp');
  assert.equal(bag.get('connection.mtls'), true);
  assert.equal(bag.get('source.principal'), 'cluster.local/ns/weather/sa/frontend');
  assert.equal(bag.get('destination.port'), 3003);
  assert.deepEqual(
    [...bag.keys()].filter((k) => k.startsWith('request.')),
    [],
  );
});
