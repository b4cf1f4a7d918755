// Interop harness: a real control plane on loopback, real grpc-js backends registered through a
// ServiceEntry and WorkloadEntries, and @grpc/grpc-js-xds proxyless clients dialing xds:/// targets.
import * as grpc from '@grpc/grpc-js';
import { mkdtemp, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../src/controlplane/control-plane.js';

export const SERVICE = 'echo.default.svc.cluster.local';
export const PORT = 7070;
export const TARGET = `xds:///${SERVICE}:${PORT}`;
const METHOD = '/weft.interop.Echo/Who';

export interface Backend {
  name: string;
  labels: Record<string, string>;
  port: number;
  /** Calls served, by this backend. */
  calls: number;
  /** When set and true for a call's metadata, the backend fails it with UNAVAILABLE. */
  failIf?: (md: grpc.Metadata) => boolean;
  server: grpc.Server;
}

/** A backend answers every call with its own name, so clients can tell who served them. */
export async function startBackend(name: string, labels: Record<string, string>): Promise<Backend> {
  const server = new grpc.Server();
  const b = { name, labels, port: 0, calls: 0, server } as Backend;
  const ident = (x: Buffer): Buffer => x;
  server.register(
    METHOD,
    (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      b.calls++;
      if (b.failIf?.(call.metadata))
        return cb({ code: grpc.status.UNAVAILABLE, details: `${name} is flaky` });
      cb(null, Buffer.from(name));
    },
    ident,
    ident,
    'unary',
  );
  b.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return b;
}

export interface Mesh {
  cp: ControlPlane;
  configDir: string;
  backends: Backend[];
  client: grpc.Client;
  /** Writes (or with undefined, removes) one config file in the watched directory. */
  write(file: string, yaml: string | undefined): Promise<void>;
  close(): Promise<void>;
}

export function serviceEntryYaml(): string {
  return `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: echo, namespace: default}
spec:
  hosts: [${SERVICE}]
  location: MESH_INTERNAL
  ports: [{number: ${PORT}, name: grpc, protocol: GRPC}]
  resolution: STATIC
  workloadSelector: {labels: {app: echo}}
`;
}

export function workloadEntryYaml(b: Backend): string {
  return `apiVersion: networking.istio.io/v1beta1
kind: WorkloadEntry
metadata: {name: ${b.name}, namespace: default}
spec:
  address: 127.0.0.1
  ports: {grpc: ${b.port}}
  labels: ${JSON.stringify({ app: 'echo', ...b.labels })}
`;
}

/** A gRPC xDS bootstrap (GRPC_XDS_BOOTSTRAP_CONFIG) for a proxyless client named `pod`. */
export function bootstrap(xdsAddress: string, pod: string): string {
  return JSON.stringify({
    xds_servers: [
      { server_uri: xdsAddress, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
    ],
    node: {
      id: `sidecar~127.0.0.1~${pod}.default~default.svc.cluster.local`,
      metadata: { GENERATOR: 'grpc', NAMESPACE: 'default' },
      locality: {},
    },
  });
}

/** Starts the control plane, the backends (registered as WorkloadEntries) and one xDS client. */
export async function startMesh(backendLabels: Record<string, Record<string, string>>): Promise<Mesh> {
  const root = await mkdtemp(join(tmpdir(), 'weft-interop-'));
  const configDir = join(root, 'config');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(configDir);
  const backends = await Promise.all(Object.entries(backendLabels).map(([n, l]) => startBackend(n, l)));
  await writeFile(join(configDir, 'service.yaml'), serviceEntryYaml());
  for (const b of backends) await writeFile(join(configDir, `we-${b.name}.yaml`), workloadEntryYaml(b));
  const cp = await startControlPlane({
    configDir,
    stateDir: join(root, 'state'),
    xds: '127.0.0.1:0',
    http: '127.0.0.1:0',
    settings: { debounce: { after: 20, max: 500 }, pushConcurrency: 10 },
    log: process.env.INTEROP_LOG ? undefined : () => undefined,
  });
  // grpc-js-xds reads its bootstrap once per process, on the first xds: channel.
  process.env.GRPC_XDS_BOOTSTRAP_CONFIG = bootstrap(cp.xdsAddress, 'client-1');
  const xds = await import('@grpc/grpc-js-xds');
  xds.register();
  const client = new grpc.Client(TARGET, grpc.credentials.createInsecure());
  return {
    cp,
    configDir,
    backends,
    client,
    async write(file, yaml) {
      const p = join(configDir, file);
      if (yaml === undefined) await unlink(p).catch(() => undefined);
      else await writeFile(p, yaml);
    },
    async close() {
      client.close();
      await cp.close();
      for (const b of backends) b.server.forceShutdown();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface CallResult {
  backend?: string;
  code: grpc.status;
}

/** One RPC; metadata entries become request headers (for header matches and hashing). */
export function call(client: grpc.Client, headers: Record<string, string> = {}): Promise<CallResult> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) md.set(k, v);
  const ident = (x: Buffer): Buffer => x;
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      METHOD,
      ident,
      ident,
      Buffer.alloc(0),
      md,
      { deadline: Date.now() + 5000 },
      (err: grpc.ServiceError | null, res?: Buffer) =>
        resolve(err ? { code: err.code } : { backend: res?.toString(), code: grpc.status.OK }),
    ),
  );
}

/** Runs `n` RPCs (a few at a time) and counts results by backend name or by status code. */
export async function tally(client: grpc.Client, n: number, headers: Record<string, string> = {}) {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => call(client, headers)));
    for (const r of batch) {
      const key = r.backend ?? `status:${grpc.status[r.code]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** Polls until `check` passes (config changes propagate asynchronously); returns the elapsed ms. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
