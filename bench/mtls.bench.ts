// Mesh mTLS cost: client → Weft proxy (outbound) → Weft proxy (inbound) → backend, with the hop
// between the two proxies in plaintext or in ISTIO_MUTUAL-style mTLS (certificates of the mesh
// CA with SPIFFE identities, ECDSA P-256, TLS 1.2–1.3, client certificate required, SAN checked,
// Istio's ALPN and SDS secret names `default`/`ROOTCA`), and the direct path (client → backend)
// as the baseline, all in the same run, interleaved per round. On loopback only:
//   - keep-alive throughput: wrk -t1 -c50, CPU µs per request of both proxies together
//     (utime+stime of their process trees from /proc/<pid>/stat ÷ requests);
//   - fixed load: fortio -qps 1000 -c 64 (Istio's way): p50/p90/p99, added latency = path minus
//     direct in the same round, CPU µs per request;
//   - handshakes: the outbound proxy's cluster with max_requests_per_connection 1, so every
//     request opens a new upstream connection: requests per second = handshakes per second, and
//     CPU µs per handshake; with mTLS both as configured (sessions resumed, Envoy's default
//     max_session_keys 1) and with max_session_keys 0 (every handshake full); plaintext the same.
// Goal: mTLS CPU per request on keep-alive connections ≤ 1.30 × plaintext.
//
// Run: node --import tsx bench/mtls.bench.ts [--rounds N] [--secs S] [--profile [keepalive]]
//   --profile: instead of the comparison, run the mTLS path's two proxies with --cpu-prof under
//   wrk (a new upstream connection per request, or keep-alive) and print where their time goes.
// Env: WEFT_BENCH_SRC=head benchmarks the committed HEAD instead of the work tree.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from '../src/ca/authority.js';
import { createCsr } from '../src/ca/csr.js';
import { spiffeUri, type Identity } from '../src/ca/spiffe.js';
import { buildWeft, type WeftBuild } from './lib/build.js';
import { printFile } from './lib/cpuprofile.js';
import { fortio, wrk, type FortioResult, type WrkResult } from './lib/loadgen.js';
import { CLK_TCK, cpuTicks, findBin, freePort, processTree, stopTree, waitHttp } from './lib/proc.js';
import { args, numberOption, ROOT } from './lib/args.js';
import { staticCluster as cluster } from './lib/bootstrap.js';
import { emitter, load, median, note, r1, r3 } from './lib/report.js';

const ROUNDS = numberOption('--rounds', 3);
const SECS = numberOption('--secs', 10);
const WARMUP_SECS = 2;
const WRK_CONNS = 50;
const HANDSHAKE_CONNS = 8;
const FORTIO_QPS = 1000;
const FORTIO_CONNS = 64;
const GOAL_CPU_RATIO = 1.3;
const BODY = 'hello from upstream\n';
const TD = 'cluster.local';
const CLIENT: Identity = { trustDomain: TD, namespace: 'bench', serviceAccount: 'client' };
const SERVER: Identity = { trustDomain: TD, namespace: 'bench', serviceAccount: 'server' };

const tmp = mkdtempSync(join(tmpdir(), 'weft-bench-mtls-'));
const children: ChildProcess[] = [];
const emit = emitter('mtls');

function start(name: string, cmd: string, argv: string[]): ChildProcess {
  const fd = openSync(join(tmp, `${name}.out`), 'a');
  const c = spawn(cmd, argv, { stdio: ['ignore', fd, fd], cwd: tmp });
  closeSync(fd);
  c.on('error', (e) => note(`${name}: ${e.message}`));
  children.push(c);
  return c;
}

// ---------------------------------------------------------------- config

interface Pem {
  cert: string;
  key: string;
  root: string;
}

/** A workload certificate from the mesh CA code (as the agent gets it), written nowhere. */
async function issue(ca: CertificateAuthority, id: Identity): Promise<Pem> {
  const { keyPem, csrPem } = await createCsr(id);
  const chain = await ca.sign(csrPem, id);
  return { cert: chain.slice(0, -1).join(''), key: keyPem, root: chain[chain.length - 1]! };
}

const T = 'type.googleapis.com/envoy.extensions';

/** The agent's two secrets, as static secrets (the mesh serves the same ones over SDS). */
function secrets(p: Pem): object[] {
  return [
    {
      name: 'default',
      tls_certificate: {
        certificate_chain: { inline_string: p.cert },
        private_key: { inline_string: p.key },
      },
    },
    { name: 'ROOTCA', validation_context: { trusted_ca: { inline_string: p.root } } },
  ];
}

/** Istio's ISTIO_MUTUAL upstream context: workload cert, ROOTCA, the server's SPIFFE id checked. */
function upstreamMtls(maxSessionKeys: number): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': `${T}.transport_sockets.tls.v3.UpstreamTlsContext`,
      max_session_keys: maxSessionKeys,
      sni: 'outbound_.80_._.server.bench.svc.cluster.local',
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: 'default' }],
        combined_validation_context: {
          default_validation_context: { match_subject_alt_names: [{ exact: spiffeUri(SERVER) }] },
          validation_context_sds_secret_config: { name: 'ROOTCA' },
        },
        alpn_protocols: ['istio-peer-exchange', 'istio'],
      },
    },
  };
}

/** Istio's inbound mTLS context: TLS 1.2–1.3, client certificate required against ROOTCA. */
function downstreamMtls(): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': `${T}.transport_sockets.tls.v3.DownstreamTlsContext`,
      common_tls_context: {
        tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' },
        tls_certificate_sds_secret_configs: [{ name: 'default' }],
        combined_validation_context: {
          default_validation_context: {},
          validation_context_sds_secret_config: { name: 'ROOTCA' },
        },
        alpn_protocols: ['h2', 'http/1.1'],
      },
      require_client_certificate: true,
    },
  };
}

/** A proxy with one HTTP listener (access log to a file, as a sidecar with logs on). */
function proxyBootstrap(o: {
  name: string;
  port: number;
  admin: number;
  routes: object[];
  clusters: object[];
  transportSocket?: object;
  secrets?: object[];
}): object {
  return {
    node: { id: o.name, cluster: 'bench' },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: o.admin } } },
    static_resources: {
      listeners: [
        {
          name: 'http',
          address: { socket_address: { address: '127.0.0.1', port_value: o.port } },
          filter_chains: [
            {
              ...(o.transportSocket ? { transport_socket: o.transportSocket } : {}),
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': `${T}.filters.network.http_connection_manager.v3.HttpConnectionManager`,
                    stat_prefix: o.name,
                    access_log: [
                      {
                        name: 'envoy.access_loggers.file',
                        typed_config: {
                          '@type': `${T}.access_loggers.file.v3.FileAccessLog`,
                          path: join(tmp, `${o.name}-access.log`),
                        },
                      },
                    ],
                    route_config: {
                      name: 'local',
                      virtual_hosts: [{ name: 'all', domains: ['*'], routes: o.routes }],
                    },
                    http_filters: [
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: { '@type': `${T}.filters.http.router.v3.Router` },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: o.clusters,
      ...(o.secrets ? { secrets: o.secrets } : {}),
    },
  };
}

// ---------------------------------------------------------------- processes

interface Proxy {
  name: string;
  port: number;
  admin: number;
  child: ChildProcess;
}

async function startProxy(
  main: string,
  boot: Omit<Parameters<typeof proxyBootstrap>[0], 'port' | 'admin'>,
  nodeArgs: string[],
): Promise<Proxy> {
  const [port, admin] = [await freePort(), await freePort()];
  const file = join(tmp, `${boot.name}.json`);
  writeFileSync(file, JSON.stringify(proxyBootstrap({ ...boot, port, admin })));
  const child = start(boot.name, process.execPath, [
    ...nodeArgs,
    main,
    'proxy',
    '--bootstrap',
    file,
    '--admin',
    `127.0.0.1:${admin}`,
    '--concurrency',
    '1',
    '--drain-time',
    '1',
  ]);
  return { name: boot.name, port, admin, child };
}

/** A path through two proxies; `mtls` secures the hop between them. */
interface Path {
  name: string;
  port: number;
  proxies: Proxy[];
}

async function startPath(
  main: string,
  name: string,
  backend: number,
  pems?: { client: Pem; server: Pem },
  nodeArgs: (proxy: string) => string[] = () => [],
): Promise<Path> {
  const inbound = await startProxy(
    main,
    {
      name: `${name}-inbound`,
      routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
      clusters: [cluster('app', backend)],
      ...(pems ? { transportSocket: downstreamMtls(), secrets: secrets(pems.server) } : {}),
    },
    nodeArgs(`${name}-inbound`),
  );
  const tls = pems ? { transport_socket: upstreamMtls(1) } : {};
  const outbound = await startProxy(
    main,
    {
      name: `${name}-outbound`,
      routes: [
        // a new upstream connection (and handshake) per request; /full never resumes a session
        { match: { prefix: '/fresh' }, route: { cluster: 'mesh-fresh' } },
        { match: { prefix: '/full' }, route: { cluster: 'mesh-full' } },
        { match: { prefix: '/' }, route: { cluster: 'mesh' } },
      ],
      clusters: [
        cluster('mesh', inbound.port, tls),
        cluster('mesh-fresh', inbound.port, { ...tls, max_requests_per_connection: 1 }),
        cluster('mesh-full', inbound.port, {
          ...(pems ? { transport_socket: upstreamMtls(0) } : {}),
          max_requests_per_connection: 1,
        }),
      ],
      ...(pems ? { secrets: secrets(pems.client) } : {}),
    },
    nodeArgs(`${name}-outbound`),
  );
  for (const p of [inbound, outbound]) {
    try {
      // the inbound of the mTLS path speaks only TLS: reach it through its outbound
      await waitHttp(p === inbound && pems ? outbound.port : p.port, '/', 60000);
    } catch (e) {
      throw new Error(
        `${p.name} did not come up: ${(e as Error).message}\n${readFileSync(join(tmp, `${p.name}.out`), 'utf8').slice(-3000)}`,
        {
          cause: e,
        },
      );
    }
  }
  return { name, port: outbound.port, proxies: [outbound, inbound] };
}

async function startBackend(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const src = `const b=Buffer.from(${JSON.stringify(BODY)});require('http').createServer({keepAliveTimeout:300000},(q,s)=>{s.writeHead(200,{'content-type':'text/plain','content-length':b.length});s.end(b)}).listen(${port},'127.0.0.1')`;
  const child = start('backend', process.execPath, ['-e', src]);
  await waitHttp(port);
  return { child, port };
}

/** Counter from a proxy's admin /stats (Envoy text format). */
async function stat(p: Proxy, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${p.admin}/stats`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}: `));
  return line ? Number(line.slice(name.length + 2)) : 0;
}

// ---------------------------------------------------------------- measuring

interface Measured<T> {
  r: T;
  /** CPU µs per request of the path's proxies together */
  cpuUs: number;
}

async function measure<T extends WrkResult | FortioResult>(
  p: Path | undefined,
  go: () => Promise<T>,
): Promise<Measured<T>> {
  const pids = p ? p.proxies.flatMap((x) => processTree(x.child.pid!)) : [];
  const c0 = cpuTicks(pids);
  const r = await go();
  const ticks = cpuTicks(pids) - c0;
  return { r, cpuUs: r1((ticks * 1e6) / CLK_TCK / Math.max(r.requests, 1)) };
}

interface Row {
  target: string;
  round: number;
  wrk?: { rps: number; cpuUs: number; errors: number };
  fortio?: { p50: number; p90: number; p99: number; cpuUs: number; errors: number };
  /** a new upstream connection per request: as configured, and (mTLS) never resuming */
  fresh?: NewConnections;
  full?: NewConnections;
}

interface NewConnections {
  rps: number;
  cpuUs: number;
  errors: number;
  connections: number;
}

/** wrk on keep-alive client connections to `/<kind>`, whose cluster opens an upstream connection per request. */
async function newConnections(
  wrkBin: string,
  t: { name: string; port: number; path: Path },
  kind: 'fresh' | 'full',
  n: number,
): Promise<NewConnections> {
  const out = t.path.proxies[0]!;
  const cx = `cluster.mesh-${kind}.upstream_cx_total`;
  const before = await stat(out, cx);
  const h = await measure(t.path, () =>
    wrk(wrkBin, `http://127.0.0.1:${t.port}/${kind}`, HANDSHAKE_CONNS, SECS),
  );
  const r = {
    rps: Math.round(h.r.rps),
    cpuUs: h.cpuUs,
    errors: h.r.errors + h.r.non2xx,
    connections: (await stat(out, cx)) - before,
  };
  emit({
    kind: kind === 'full' ? 'new-connection-per-request-no-resumption' : 'new-connection-per-request',
    tool: `wrk -t1 -c${HANDSHAKE_CONNS} -d${SECS}s, upstream max_requests_per_connection 1${kind === 'full' ? ', max_session_keys 0' : ''}`,
    target: t.name,
    round: n,
    rps: r.rps,
    requests: h.r.requests,
    upstream_connections: r.connections,
    errors: r.errors,
    p50_ms: h.r.p50,
    p99_ms: h.r.p99,
    proxies_cpu_us_per_req: r.cpuUs,
  });
  return r;
}

async function round(
  n: number,
  targets: { name: string; port: number; path?: Path }[],
  tools: { wrk: string; fortio?: string },
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const t of targets) {
    const url = `http://127.0.0.1:${t.port}/`;
    const row: Row = { target: t.name, round: n };
    await wrk(tools.wrk, url, WRK_CONNS, WARMUP_SECS);
    const w = await measure(t.path, () => wrk(tools.wrk, url, WRK_CONNS, SECS));
    row.wrk = { rps: Math.round(w.r.rps), cpuUs: w.cpuUs, errors: w.r.errors + w.r.non2xx };
    emit({
      kind: 'keepalive-throughput',
      tool: `wrk -t1 -c${WRK_CONNS} -d${SECS}s`,
      target: t.name,
      round: n,
      rps: row.wrk.rps,
      requests: w.r.requests,
      errors: row.wrk.errors,
      p50_ms: w.r.p50,
      p99_ms: w.r.p99,
      proxies_cpu_us_per_req: t.path ? w.cpuUs : null,
    });
    if (tools.fortio) {
      const f = await measure(t.path, () => fortio(tools.fortio!, url, FORTIO_QPS, FORTIO_CONNS, SECS, tmp));
      row.fortio = {
        p50: r3(f.r.p50),
        p90: r3(f.r.p90),
        p99: r3(f.r.p99),
        cpuUs: f.cpuUs,
        errors: f.r.errors,
      };
      emit({
        kind: 'keepalive-latency',
        tool: `fortio load -qps ${FORTIO_QPS} -c ${FORTIO_CONNS} -t ${SECS}s`,
        target: t.name,
        round: n,
        qps: Math.round(f.r.qps),
        requests: f.r.requests,
        errors: f.r.errors,
        p50_ms: row.fortio.p50,
        p90_ms: row.fortio.p90,
        p99_ms: row.fortio.p99,
        proxies_cpu_us_per_req: t.path ? f.cpuUs : null,
      });
    }
    if (t.path) {
      row.fresh = await newConnections(tools.wrk, { ...t, path: t.path }, 'fresh', n);
      if (t.name === 'mtls') row.full = await newConnections(tools.wrk, { ...t, path: t.path }, 'full', n);
    }
    rows.push(row);
  }
  return rows;
}

function summary(rows: Row[]): void {
  const of = (name: string): Row[] => rows.filter((r) => r.target === name);
  const byRound = (name: string, n: number): Row | undefined =>
    rows.find((r) => r.target === name && r.round === n);
  const med = (name: string, get: (r: Row) => number | undefined): number =>
    median(of(name).map((r) => get(r) ?? NaN));
  const added = (name: string, p: 'p50' | 'p90' | 'p99'): number =>
    median(
      of(name).map((r) => {
        const d = byRound('direct', r.round)?.fortio;
        return r.fortio && d ? r.fortio[p] - d[p] : NaN;
      }),
    );
  /** mTLS ÷ plaintext per round, then the median */
  const ratio = (get: (r: Row) => number | undefined): number =>
    median(
      of('mtls').map((r) => {
        const p = byRound('plaintext', r.round);
        const [a, b] = [get(r), p ? get(p) : undefined];
        return a !== undefined && b !== undefined ? a / b : NaN;
      }),
    );
  const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
  console.log(
    `\nmtls summary (medians of ${ROUNDS} interleaved rounds, ${SECS} s each; load average now ${load().join(' ')})`,
  );
  console.log(
    '| path | req/s keep-alive (wrk -c50) | CPU µs/req @max | p50 / p90 / p99 ms @1000 rps | added p50 / p90 / p99 ms | CPU µs/req @1000 rps | new conn/s (handshakes/s) | CPU µs per new conn |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const line = (name: string, cells: string[]): void => console.log(`| ${name} | ${cells.join(' | ')} |`);
  const ms = (name: string, get: (r: Row) => number | undefined): string => f(med(name, get), 2);
  const rate = (name: string, get: (r: Row) => number | undefined): string => f(med(name, get), 0);
  line('direct', [
    rate('direct', (r) => r.wrk?.rps),
    '–',
    ['p50', 'p90', 'p99'].map((p) => ms('direct', (r) => r.fortio?.[p as 'p50'])).join(' / '),
    '–',
    '–',
    '–',
    '–',
  ]);
  for (const name of ['plaintext', 'mtls'])
    line(name, [
      rate(name, (r) => r.wrk?.rps),
      f(med(name, (r) => r.wrk?.cpuUs)),
      (['p50', 'p90', 'p99'] as const).map((p) => ms(name, (r) => r.fortio?.[p])).join(' / '),
      (['p50', 'p90', 'p99'] as const).map((p) => f(added(name, p), 2)).join(' / '),
      f(med(name, (r) => r.fortio?.cpuUs)),
      rate(name, (r) => r.fresh?.rps),
      f(med(name, (r) => r.fresh?.cpuUs)),
    ]);
  line('mtls, no session resumption', [
    '–',
    '–',
    '–',
    '–',
    '–',
    rate('mtls', (r) => r.full?.rps),
    f(med('mtls', (r) => r.full?.cpuUs)),
  ]);
  const cpuMax = ratio((r) => r.wrk?.cpuUs);
  const cpu1000 = ratio((r) => r.fortio?.cpuUs);
  const goal = (what: string, value: number): void => {
    const verdict = Number.isFinite(value) ? (value <= GOAL_CPU_RATIO ? 'PASS' : 'FAIL') : 'N/A';
    console.log(`goal ${verdict}: ${what} = ${f(value, 2)} (goal ≤ ${GOAL_CPU_RATIO})`);
    emit({
      kind: 'goal',
      goal: what,
      value: Number.isFinite(value) ? r3(value) : null,
      target: `≤ ${GOAL_CPU_RATIO}`,
      verdict,
    });
  };
  goal('mTLS / plaintext CPU per request, keep-alive @max (wrk -c50)', cpuMax);
  goal('mTLS / plaintext CPU per request, keep-alive @1000 rps (fortio)', cpu1000);
  const keepAlive = ratio((r) => r.wrk?.rps);
  const [fresh, freshCpu] = [ratio((r) => r.fresh?.rps), ratio((r) => r.fresh?.cpuUs)];
  console.log(
    `mTLS / plaintext: keep-alive req/s ${f(keepAlive, 2)}; new connection per request: req/s ${f(fresh, 2)}, CPU per request ${f(freshCpu, 2)}`,
  );
  const resumed = median(of('mtls').map((r) => (r.fresh && r.full ? r.full.cpuUs / r.fresh.cpuUs : NaN)));
  console.log(`mTLS new connection, CPU without ÷ with session resumption: ${f(resumed, 2)}`);
}

// ---------------------------------------------------------------- profiling

async function profile(
  wrkBin: string,
  main: string,
  pems: { client: Pem; server: Pem },
  backend: number,
): Promise<void> {
  const keepAlive = args[args.indexOf('--profile') + 1] === 'keepalive';
  const dir = (proxy: string): string => join(tmp, 'prof', proxy);
  const path = await startPath(main, 'mtls', backend, pems, (p) => ['--cpu-prof', '--cpu-prof-dir', dir(p)]);
  const url = `http://127.0.0.1:${path.port}/${keepAlive ? '' : 'fresh'}`;
  const conns = keepAlive ? WRK_CONNS : HANDSHAKE_CONNS;
  note(`profiling the mTLS path's proxies under wrk -t1 -c${conns} -d${SECS}s ${url}`);
  const m = await measure(path, () => wrk(wrkBin, url, conns, SECS));
  const connections = await stat(
    path.proxies[0]!,
    `cluster.mesh${keepAlive ? '' : '-fresh'}.upstream_cx_total`,
  );
  emit({
    kind: 'profile-run',
    target: keepAlive ? 'mtls keep-alive' : 'mtls new connection per request',
    rps: Math.round(m.r.rps),
    proxies_cpu_us_per_req: m.cpuUs,
    upstream_connections: connections,
  });
  for (const p of path.proxies) {
    await stopTree(p.child, 20000);
    const file = readdirSync(dir(p.name)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`${p.name} wrote no .cpuprofile (did it exit cleanly?)`);
    console.log(`\n## ${p.name}`);
    printFile(join(dir(p.name), file), 25);
  }
}

// ---------------------------------------------------------------- main

let built: WeftBuild | undefined;

async function main(): Promise<void> {
  const wrkBin = findBin('wrk');
  if (!wrkBin) throw new Error('wrk not found (apt-get install -y wrk)');
  const fortioBin = findBin('fortio');
  if (!fortioBin) note('SKIP fixed-QPS latency: fortio not found (go install fortio.org/fortio@v1.68.2)');
  built = buildWeft(ROOT, note);
  const ca = await CertificateAuthority.loadOrCreate(join(tmp, 'ca'), TD);
  const pems = { client: await issue(ca, CLIENT), server: await issue(ca, SERVER) };
  const backend = await startBackend();
  if (args.includes('--profile')) return profile(wrkBin, built.main, pems, backend.port);
  const plaintext = await startPath(built.main, 'plaintext', backend.port);
  const mtls = await startPath(built.main, 'mtls', backend.port, pems);
  note(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}; weft: ${built.source}`,
  );
  note(
    `backend: node:http, ${BODY.length}-byte body on 127.0.0.1:${backend.port}; each path: weft proxy --concurrency 1 (outbound) → weft proxy --concurrency 1 (inbound), access logs on`,
  );
  note(`mtls hop: ${spiffeUri(CLIENT)} → ${spiffeUri(SERVER)}, certificates from the mesh CA (ECDSA P-256)`);
  const targets = [
    { name: 'direct', port: backend.port },
    { name: 'plaintext', port: plaintext.port, path: plaintext },
    { name: 'mtls', port: mtls.port, path: mtls },
  ];
  const rows: Row[] = [];
  for (let n = 1; n <= ROUNDS; n++)
    rows.push(...(await round(n, targets, { wrk: wrkBin, ...(fortioBin ? { fortio: fortioBin } : {}) })));
  summary(rows);
}

async function cleanup(): Promise<void> {
  await Promise.all(children.map((c) => stopTree(c)));
  built?.remove();
  rmSync(tmp, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));

main().then(
  () => cleanup(),
  async (e: Error) => {
    console.error(`mtls bench failed: ${e.stack ?? e.message}`);
    await cleanup();
    process.exitCode = 1;
  },
);
