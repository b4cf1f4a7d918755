// Interop: a real @grpc/grpc-js-xds client consumes what the generators produce, served by a
// minimal state-of-the-world ADS stream in this test, and routes by the VirtualService and
// DestinationRule (header match → subset v2, otherwise v1; fault abort on a header). The client
// sends no GENERATOR metadata: its `<host>:<port>` listener names mark it as proxyless.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { parseProxyInfo } from '../../proxy-info.js';
import { buildPushContext, type PushContext } from '../../push-context.js';
import { generators } from '../index.js';
import { packAny, PROTO_INCLUDE_DIRS } from '../../proto/root.js';
import { LocalRegistry } from '../../../registry/local.js';
import { ConfigStore } from '../../../config/store.js';
import { parseResources } from '../../../config/loader.js';
import '../../../api/kinds.js';

const HOST = 'echo.default.svc.cluster.local';
const PORT = 7070;
const identity = (b: Buffer): Buffer => b;
const ECHO = {
  path: '/weft.test.Echo/Echo',
  requestStream: false,
  responseStream: false,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
};

const servers: grpc.Server[] = [];
let client: grpc.Client | undefined;
/** Any NACK fails the run: the client rejected what the generators produced. */
const nacks: string[] = [];

function listen(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
}

async function backend(version: string): Promise<number> {
  const server = new grpc.Server();
  server.addService(
    { Echo: ECHO },
    { Echo: (_call: unknown, cb: (e: null, r: Buffer) => void) => cb(null, Buffer.from(version)) },
  );
  servers.push(server);
  return listen(server);
}

/** A minimal SotW ADS server: answers every request (ignoring ACKs) from the generators. */
async function adsServer(push: PushContext): Promise<number> {
  const def = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    keepCase: true,
    includeDirs: PROTO_INCLUDE_DIRS,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: {
      service: { discovery: { v3: { AggregatedDiscoveryService: { service: grpc.ServiceDefinition } } } };
    };
  };
  const server = new grpc.Server();
  let nonce = 0;
  server.addService(pkg.envoy.service.discovery.v3.AggregatedDiscoveryService.service, {
    StreamAggregatedResources: (stream: grpc.ServerDuplexStream<Record<string, unknown>, unknown>) => {
      let proxy: ReturnType<typeof parseProxyInfo> | undefined;
      const sent = new Map<string, string>();
      stream.on(
        'data',
        (req: {
          type_url: string;
          resource_names?: string[];
          node?: object;
          error_detail?: { message: string };
        }) => {
          if (req.error_detail) nacks.push(`${req.type_url}: ${req.error_detail.message}`);
          proxy ??= parseProxyInfo(req.node as object);
          const names = req.resource_names?.length ? req.resource_names : undefined;
          const key = JSON.stringify(names ?? []);
          if (sent.get(req.type_url) === key) return; // an ACK
          sent.set(req.type_url, key);
          const gen = generators.get(req.type_url);
          const resources = gen ? gen.generate({ proxy, push, ...(names ? { names } : {}) }) : [];
          stream.write({
            version_info: push.version,
            type_url: req.type_url,
            nonce: String(++nonce),
            resources: resources.map((r) => packAny(req.type_url, r.resource)),
          });
        },
      );
      stream.on('end', () => stream.end());
    },
  });
  servers.push(server);
  return listen(server);
}

function call(metadata: Record<string, string> = {}): Promise<string> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve, reject) =>
    client!.makeUnaryRequest(
      ECHO.path,
      identity,
      identity,
      Buffer.alloc(0),
      md,
      { deadline: Date.now() + 10000 },
      (err, res) => (err ? reject(err) : resolve(res!.toString())),
    ),
  );
}

before(async () => {
  const [v1, v2] = [await backend('v1'), await backend('v2')];
  const registry = new LocalRegistry();
  registry.upsertService({
    hostname: HOST,
    name: 'echo',
    namespace: 'default',
    addresses: ['10.96.7.7'],
    ports: [{ name: 'grpc', port: PORT, protocol: 'GRPC' }],
    labels: {},
    exportTo: [],
    resolution: 'ClientSideLB',
    meshExternal: false,
    serviceAccounts: [],
    registry: 'Kubernetes',
  });
  registry.upsertEndpoints(HOST, [
    { address: '127.0.0.1', port: v1, servicePortName: 'grpc', labels: { version: 'v1' }, health: 'HEALTHY' },
    { address: '127.0.0.1', port: v2, servicePortName: 'grpc', labels: { version: 'v2' }, health: 'HEALTHY' },
  ]);
  const store = new ConfigStore({ debounceMs: 0 });
  const yaml = `
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: { name: echo, namespace: default }
spec:
  host: echo
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: echo, namespace: default }
spec:
  hosts: [echo]
  http:
  - match: [{ headers: { x-fail: { exact: 'yes' } } }]
    fault: { abort: { httpStatus: 403, percentage: { value: 100 } } }
    route: [{ destination: { host: echo, subset: v1 } }]
  - match: [{ headers: { x-version: { exact: v2 } } }]
    route: [{ destination: { host: echo, subset: v2 } }]
  - route: [{ destination: { host: echo, subset: v1 } }]`;
  const applied = store.apply(parseResources(yaml, 'echo.yaml').resources, { owner: 'test' });
  assert.ok(applied.ok);
  store.flush();
  const ads = await adsServer(buildPushContext({ store, registry, version: 'interop-1' }));
  process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
    xds_servers: [
      { server_uri: `127.0.0.1:${ads}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
    ],
    node: {
      id: 'sidecar~127.0.0.1~client-0.default~default.svc.cluster.local',
      locality: {},
      metadata: {},
    },
  });
  const xds = await import('@grpc/grpc-js-xds');
  xds.register();
  client = new grpc.Client(`xds:///echo:${PORT}`, grpc.credentials.createInsecure());
});

after(() => {
  client?.close();
  for (const s of servers) s.forceShutdown();
});

test('grpc-js-xds routes by header to subset v2 and defaults to v1', async () => {
  assert.equal(await call(), 'v1');
  assert.equal(await call({ 'x-version': 'v2' }), 'v2');
  assert.equal(await call(), 'v1');
});

test('grpc-js-xds applies the VirtualService fault abort', async () => {
  await assert.rejects(
    call({ 'x-fail': 'yes' }),
    (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED,
  );
  assert.deepEqual(nacks, []);
});
