// xDS push: N services (ServiceEntry with 2 endpoints, VirtualService, DestinationRule with 2
// subsets) and M sidecar proxies on real gRPC streams (a light SotW ADS client that decodes only
// names, versions and nonces). The control plane runs in a child process so its CPU and RSS are
// its own. Measures initial sync, a full push (a DestinationRule edit: new CDS for every proxy)
// and an endpoint-only push (a ServiceEntry endpoint edit: EDS only), with and without Sidecar
// scoping.
// Goals at 1000/1000: full push < 2 s, EDS push < 200 ms, RSS < 1 GB.
// Run: node --import tsx bench/xds-push.bench.ts [NxM …] (default 100x100 1000x1000);
// BENCH_SCOPING=on|off runs one mode only; BENCH_PROF=DIR writes the control plane's CPU profile.
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import protobuf from 'protobufjs';
import { decodeMessage, lookupType } from '../src/xds/proto/root.js';
import { TypeUrl } from '../src/xds/type-urls.js';

const SOTW = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const RUNS = 3;
/** BENCH_SCOPING=on|off limits the run to one mode (default: both). */
const SCOPING =
  process.env.BENCH_SCOPING === 'on' ? [true] : process.env.BENCH_SCOPING === 'off' ? [false] : [false, true];

// ---------------------------------------------------------------- child: the control plane

async function serve(stateDir: string): Promise<void> {
  process.env.PILOT_DEBOUNCE_AFTER ??= '10ms';
  const { startControlPlane } = await import('../src/controlplane/control-plane.js');
  const cp = await startControlPlane({
    stateDir,
    xds: '127.0.0.1:0',
    http: '127.0.0.1:0',
    log: () => undefined,
  });
  process.stdout.write(`${JSON.stringify({ xds: cp.xdsAddress, http: cp.httpAddress })}\n`);
  process.stdin.on('end', () => void cp.close().then(() => process.exit(0)));
  process.stdin.resume();
}

// ---------------------------------------------------------------- config

const host = (i: number): string => `svc-${i}.bench.svc.cluster.local`;

function services(n: number): string {
  const docs: object[] = [];
  for (let i = 0; i < n; i++) docs.push(...serviceDocs(i, 0, 0));
  return docs.map((d) => JSON.stringify(d)).join('\n---\n');
}

/** ServiceEntry, VirtualService and DestinationRule of service i; `ep` and `pool` vary per change. */
function serviceDocs(i: number, ep: number, pool: number): object[] {
  const ip = (net: number): string => `10.${net}.${(i >> 8) & 255}.${i & 255}`;
  const meta = { name: `svc-${i}`, namespace: 'bench' };
  return [
    {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'ServiceEntry',
      metadata: meta,
      spec: {
        hosts: [host(i)],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
        endpoints: [
          { address: ip(1 + ep * 2), labels: { version: 'v1' } },
          { address: ip(2), labels: { version: 'v2' } },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: meta,
      spec: {
        hosts: [host(i)],
        http: [
          {
            route: [
              { destination: { host: host(i), subset: 'v1' }, weight: 90 },
              { destination: { host: host(i), subset: 'v2' }, weight: 10 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'DestinationRule',
      metadata: meta,
      spec: {
        host: host(i),
        ...(pool ? { trafficPolicy: { connectionPool: { tcp: { maxConnections: pool } } } } : {}),
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    },
  ];
}

/** Proxies in namespace `client` see only 10 services when scoped. */
const SIDECAR = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'Sidecar',
  metadata: { name: 'default', namespace: 'client' },
  spec: {
    egress: [{ hosts: [...Array.from({ length: 10 }, (_, i) => `bench/${host(i)}`), 'istio-system/*'] }],
  },
};

async function apply(http: string, body: string): Promise<void> {
  const r = await fetch(`http://${http}/apis/apply`, { method: 'POST', body });
  if (r.status !== 200) throw new Error(`apply failed: ${r.status} ${(await r.text()).slice(0, 500)}`);
}

// ---------------------------------------------------------------- light ADS client

interface Light {
  version: string;
  typeUrl: string;
  nonce: string;
  resources: Uint8Array[];
}

/** DiscoveryResponse fields 1 (version), 2 (Any), 4 (type_url), 5 (nonce); the rest is skipped. */
function readResponse(buf: Buffer): Light {
  const r = protobuf.Reader.create(buf);
  const out: Light = { version: '', typeUrl: '', nonce: '', resources: [] };
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        out.version = r.string();
        break;
      case 2:
        out.resources.push(r.bytes());
        break;
      case 4:
        out.typeUrl = r.string();
        break;
      case 5:
        out.nonce = r.string();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return out;
}

/** Any.value (field 2) of an Any. */
function anyValue(any: Uint8Array): Uint8Array {
  const r = protobuf.Reader.create(any);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 2) return r.bytes();
    r.skipType(tag & 7);
  }
  return new Uint8Array();
}

/** Names of EDS clusters: Cluster.name (1) where Cluster.type (2) is EDS (3). */
function edsClusterNames(resources: Uint8Array[]): string[] {
  const out: string[] = [];
  for (const any of resources) {
    const r = protobuf.Reader.create(anyValue(any));
    let name = '';
    let type = 0;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) name = r.string();
      else if (tag >>> 3 === 2 && (tag & 7) === 0) type = r.int32();
      else r.skipType(tag & 7);
    }
    if (type === 3) out.push(name);
  }
  return out;
}

/** RDS names from listeners, decoded fully once per distinct listener set (proxies share them). */
const rdsCache = new Map<string, string[]>();
function routeNames(resources: Uint8Array[]): string[] {
  const key = createHash('sha1').update(Buffer.concat(resources)).digest('hex');
  const hit = rdsCache.get(key);
  if (hit) return hit;
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const rds = o.rds as { route_config_name?: string } | undefined;
      if (rds?.route_config_name) names.add(rds.route_config_name);
      Object.values(o).forEach(walk);
    }
  };
  for (const any of resources) walk(decodeMessage('envoy.config.listener.v3.Listener', anyValue(any)));
  const out = [...names].sort();
  rdsCache.set(key, out);
  return out;
}

class Proxy {
  bytes = 0;
  readonly got = new Map<string, number>();
  private readonly call: grpc.ClientDuplexStream<Request, Light>;
  private readonly client: grpc.Client;
  private eds: string[] = [];
  private rds: string[] = [];
  private readonly nonces = new Map<string, string>();
  onResponse: (p: Proxy, typeUrl: string) => void = () => undefined;

  constructor(
    address: string,
    readonly id: string,
  ) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1, // one connection per proxy, as real sidecars have
      'grpc.max_receive_message_length': -1,
    });
    this.call = this.client.makeBidiStreamRequest(SOTW, encodeRequest, (b: Buffer) => {
      this.bytes += b.length;
      return readResponse(b);
    });
    this.call.on('data', (r: Light) => this.handle(r));
    this.call.on('error', () => undefined);
    this.send(TypeUrl.Cluster, []);
    this.send(TypeUrl.Listener, []);
  }

  private send(typeUrl: string, names: string[], version = ''): void {
    this.call.write({ id: this.id, typeUrl, names, version, nonce: this.nonces.get(typeUrl) ?? '' });
  }

  private handle(r: Light): void {
    this.nonces.set(r.typeUrl, r.nonce);
    this.got.set(r.typeUrl, (this.got.get(r.typeUrl) ?? 0) + 1);
    if (r.typeUrl === TypeUrl.Cluster) {
      this.send(r.typeUrl, [], r.version);
      const eds = edsClusterNames(r.resources);
      if (eds.join() !== this.eds.join()) {
        this.eds = eds;
        this.send(TypeUrl.ClusterLoadAssignment, eds, '');
      }
    } else if (r.typeUrl === TypeUrl.Listener) {
      this.send(r.typeUrl, [], r.version);
      const rds = routeNames(r.resources);
      if (rds.join() !== this.rds.join()) {
        this.rds = rds;
        this.send(TypeUrl.RouteConfiguration, rds, '');
      }
    } else {
      this.send(r.typeUrl, r.typeUrl === TypeUrl.ClusterLoadAssignment ? this.eds : this.rds, r.version);
    }
    this.onResponse(this, r.typeUrl);
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

const nodeFor = (id: string) => ({
  id,
  metadata: { fields: { ISTIO_VERSION: { stringValue: '1.1.0' }, NAMESPACE: { stringValue: 'client' } } },
});

interface Request {
  id: string;
  typeUrl: string;
  names: string[];
  version: string;
  nonce: string;
}

function encodeRequest(x: Request): Buffer {
  const t = lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  const msg = t.fromObject({
    node: nodeFor(x.id),
    type_url: x.typeUrl,
    resource_names: x.names,
    version_info: x.version,
    response_nonce: x.nonce,
  });
  return Buffer.from(t.encode(msg).finish());
}

// ---------------------------------------------------------------- measurement

interface ProcStat {
  cpu: number;
  rssMb: number;
  hwmMb: number;
}

async function procStat(pid: number): Promise<ProcStat> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  // utime and stime are fields 14 and 15 of /proc/pid/stat, in clock ticks (100 per second).
  return {
    cpu: (Number(stat[11]) + Number(stat[12])) / 100,
    rssMb: kb('VmRSS') / 1024,
    hwmMb: kb('VmHWM') / 1024,
  };
}

/** Resolves when every proxy has received a response of `typeUrl` after this call. */
function awaitAll(proxies: Proxy[], typeUrl: string, timeoutMs: number): Promise<number> {
  const start = performance.now();
  const pending = new Set(proxies);
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`${pending.size} proxies still waiting for ${typeUrl}`)),
      timeoutMs,
    );
    for (const p of proxies)
      p.onResponse = (px, type) => {
        if (type !== typeUrl) return;
        pending.delete(px);
        if (pending.size === 0) {
          clearTimeout(t);
          resolve(performance.now() - start);
        }
      };
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

interface Result {
  services: number;
  proxies: number;
  sidecarScoping: boolean;
  initialSyncMs: number;
  fullPushMs: number;
  fullPushCpuS: number;
  fullPushBytesPerProxy: number;
  edsPushMs: number;
  edsPushCpuS: number;
  edsPushBytesPerProxy: number;
  rssMb: number;
  peakRssMb: number;
  /** V8 heap in use and memory outside it (Buffers), from the control plane's /metrics. */
  heapUsedMb: number;
  externalMb: number;
}

async function startChild(stateDir: string): Promise<{ child: ChildProcess; xds: string; http: string }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
      '--import',
      'tsx',
      'bench/xds-push.bench.ts',
      '--serve',
      stateDir,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`control plane exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return { child, ...(JSON.parse(line) as { xds: string; http: string }) };
}

async function run(n: number, m: number, scoped: boolean): Promise<Result> {
  const stateDir = await mkdtemp(join(tmpdir(), 'weft-bench-xds-'));
  const { child, xds, http } = await startChild(stateDir);
  try {
    await apply(http, services(n) + (scoped ? `\n---\n${JSON.stringify(SIDECAR)}` : ''));
    const pid = child.pid as number;
    const t0 = performance.now();
    const proxies: Proxy[] = [];
    const synced = Promise.all(
      [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration].map(
        (t) =>
          new Promise<void>((resolve) => {
            const seen = new Set<Proxy>();
            const check = setInterval(() => {
              for (const p of proxies) if ((p.got.get(t) ?? 0) > 0) seen.add(p);
              if (seen.size === m) {
                clearInterval(check);
                resolve();
              }
            }, 20);
          }),
      ),
    );
    for (let i = 0; i < m; i++) {
      proxies.push(
        new Proxy(xds, `sidecar~10.20.${i >> 8}.${i & 255}~client-${i}.client~client.svc.cluster.local`),
      );
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    await synced;
    const initialSyncMs = performance.now() - t0;
    const full: { ms: number; cpu: number; bytes: number }[] = [];
    const eds: { ms: number; cpu: number; bytes: number }[] = [];
    for (let k = 1; k <= RUNS; k++) {
      for (const [doc, type, out] of [
        [serviceDocs(0, k - 1, k)[2], TypeUrl.Cluster, full],
        [serviceDocs(0, k, k)[0], TypeUrl.ClusterLoadAssignment, eds],
      ] as const) {
        const before = await procStat(pid);
        const bytes = proxies.reduce((s, p) => s + p.bytes, 0);
        const done = awaitAll(proxies, type, 120_000);
        const start = performance.now();
        await apply(http, JSON.stringify(doc));
        await done;
        const ms = performance.now() - start;
        const after = await procStat(pid);
        out.push({
          ms,
          cpu: after.cpu - before.cpu,
          bytes: (proxies.reduce((s, p) => s + p.bytes, 0) - bytes) / m,
        });
      }
    }
    const stat = await procStat(pid);
    const metrics = await (await fetch(`http://${http}/metrics`)).text();
    const mb = (name: string): number =>
      Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0) / 2 ** 20);
    for (const p of proxies) p.close();
    return {
      services: n,
      proxies: m,
      sidecarScoping: scoped,
      initialSyncMs: Math.round(initialSyncMs),
      fullPushMs: Math.round(median(full.map((x) => x.ms))),
      fullPushCpuS: +median(full.map((x) => x.cpu)).toFixed(2),
      fullPushBytesPerProxy: Math.round(median(full.map((x) => x.bytes))),
      edsPushMs: Math.round(median(eds.map((x) => x.ms))),
      edsPushCpuS: +median(eds.map((x) => x.cpu)).toFixed(2),
      edsPushBytesPerProxy: Math.round(median(eds.map((x) => x.bytes))),
      rssMb: Math.round(stat.rssMb),
      peakRssMb: Math.round(stat.hwmMb),
      heapUsedMb: mb('nodejs_heap_size_used_bytes'),
      externalMb: mb('nodejs_external_memory_bytes'),
    };
  } finally {
    child.stdin?.end();
    await new Promise((r) => child.once('exit', r));
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') return serve(process.argv[3] as string);
  const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : ['100x100', '1000x1000']).map((s) =>
    s.split('x').map(Number),
  );
  for (const [n, m] of sizes)
    for (const scoped of SCOPING)
      process.stdout.write(`${JSON.stringify({ bench: 'xds-push', ...(await run(n!, m!, scoped)) })}\n`);
}

await main();
