// A fake config world for server tests: generators read a mutable FakePush (clusters, endpoints,
// listeners, routes), like go-control-plane's server tests run on a mock cache.
import * as grpc from '@grpc/grpc-js';
import type { Generator, ProxyInfo } from '../../src/xds/contracts.js';
import { DiscoveryServer, type DiscoveryServerOptions } from '../../src/xds/server/discovery-server.js';
import { addXdsServices } from '../../src/xds/server/grpc.js';
import type { WireNode } from '../../src/xds/server/wire.js';
import { TypeUrl } from '../../src/xds/type-urls.js';

export interface FakePush {
  clusters: string[];
  /** cluster name → endpoint addresses */
  endpoints: Map<string, string[]>;
  listeners: string[];
  routes: string[];
  /** proxy ids whose generation throws, per type */
  failing: Map<string, Set<string>>;
  /** bumps to change every resource's content */
  revision: number;
}

export const newPush = (): FakePush => ({
  clusters: ['outbound|80||a.default.svc.cluster.local', 'outbound|80||b.default.svc.cluster.local'],
  endpoints: new Map([
    ['outbound|80||a.default.svc.cluster.local', ['10.0.0.1']],
    ['outbound|80||b.default.svc.cluster.local', ['10.0.0.2']],
  ]),
  listeners: ['0.0.0.0_80'],
  routes: ['80'],
  failing: new Map(),
  revision: 0,
});

function fake(
  typeUrl: TypeUrl,
  build: (p: FakePush, names?: readonly string[]) => [string, object][],
): Generator<FakePush> {
  return {
    typeUrl,
    generate({ proxy, push, names }) {
      if (push.failing.get(typeUrl)?.has(proxy.id))
        throw new Error(`cannot build ${typeUrl} for ${proxy.id}`);
      return build(push, names).map(([name, resource]) => ({ name, resource }));
    },
  };
}

const only = (all: string[], names?: readonly string[]): string[] =>
  names ? all.filter((n) => names.includes(n)) : all;

export const fakeGenerators: Generator<FakePush>[] = [
  fake(TypeUrl.Cluster, (p) =>
    p.clusters.map((name) => [
      name,
      { name, type: 'EDS', eds_cluster_config: { ads: {} }, connect_timeout: { seconds: 1 + p.revision } },
    ]),
  ),
  fake(TypeUrl.ClusterLoadAssignment, (p, names) =>
    only([...p.endpoints.keys()], names).map((name) => [
      name,
      {
        cluster_name: name,
        endpoints: [
          {
            lb_endpoints: (p.endpoints.get(name) ?? []).map((ip) => ({
              endpoint: { address: { socket_address: { address: ip, port_value: 8080 + p.revision } } },
            })),
          },
        ],
      },
    ]),
  ),
  fake(TypeUrl.Listener, (p, names) =>
    only(p.listeners, names).map((name) => [
      name,
      { name, address: { socket_address: { address: '0.0.0.0', port_value: 80 + p.revision } } },
    ]),
  ),
  fake(TypeUrl.RouteConfiguration, (p, names) =>
    only(p.routes, names).map((name) => [
      name,
      { name, virtual_hosts: [{ name: `vh${p.revision}`, domains: ['*'] }] },
    ]),
  ),
];

export function fakeProxy(node: WireNode): ProxyInfo {
  const [type, ip, pod = '', domain = ''] = (node.id ?? '').split('~');
  if (type !== 'sidecar' && type !== 'router') throw new Error(`unknown proxy type ${type}`);
  const [podName = '', namespace = 'default'] = pod.split('.');
  return {
    id: node.id ?? '',
    type,
    ipAddresses: ip ? [ip] : [],
    podName,
    namespace,
    dnsDomain: domain,
    labels: {},
    metadata: {},
    proxyless: false,
  };
}

export const nodeId = (pod: string): string => `sidecar~10.0.0.9~${pod}.default~default.svc.cluster.local`;

export interface TestServer {
  ds: DiscoveryServer<FakePush>;
  push: FakePush;
  address: string;
  close(): Promise<void>;
}

export async function startServer(opts: Partial<DiscoveryServerOptions<FakePush>> = {}): Promise<TestServer> {
  // One live object, like the endpoint index EDS reads between full pushes.
  const live = newPush();
  const ds = new DiscoveryServer<FakePush>({
    generators: fakeGenerators,
    proxyFromNode: fakeProxy,
    initPushContext: () => live,
    debounce: { after: 1, max: 10 },
    // Test clients often leave a push unanswered; flow control should not hold them up.
    ackTimeout: 50,
    log: () => undefined,
    ...opts,
  });
  ds.start();
  const server = new grpc.Server();
  addXdsServices(server, ds as DiscoveryServer);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return {
    ds,
    get push() {
      return live;
    },
    set push(p: FakePush) {
      Object.assign(live, p);
    },
    address: `127.0.0.1:${port}`,
    close: async () => {
      ds.stop();
      server.forceShutdown();
    },
  };
}

export const fullPush = (reasons = ['test']) => ({
  full: true,
  configsUpdated: new Set<string>(),
  edsUpdates: new Set<string>(),
  reasons,
  start: Date.now(),
});

export const edsPush = (...hosts: string[]) => ({
  full: false,
  configsUpdated: new Set<string>(),
  edsUpdates: new Set(hosts),
  reasons: ['endpoints'],
  start: Date.now(),
});

/** Waits (briefly polling) until the server has processed what a client sent. */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`${what} not reached`);
}

export const watchOf = (ds: DiscoveryServer<FakePush>, proxyId: string, typeUrl: string) =>
  [...ds.connections].find((c) => c.proxy.id === proxyId)?.watches.get(typeUrl);
