// HTTP/1.1 keep-alive reverse proxy: Weft (`weft proxy`, access log to a file, stats on — they
// cannot be turned off) against nginx (1 worker) and haproxy (nbthread 1), and the direct path,
// all in the same run, against the same upstream (nginx returning a 20-byte body; a node:http
// server when nginx is missing). Per target and round, interleaved so machine load hits all alike:
//   - max throughput: wrk -t1 -c50 -d10s, and CPU µs per request of the proxy process tree
//     (utime+stime from /proc/<pid>/stat over the run ÷ requests) and its max RSS;
//   - fixed load: fortio load -qps 1000 -c 64 -t 10s (as Istio measures): p50/p90/p99, added
//     latency = proxy minus direct in the same round, CPU µs per request and RSS under load.
// Also: idle RSS with 1000 STATIC clusters and 1000 virtual hosts (and the same load through
// that config, Host: svc-999), Weft --concurrency 2 throughput, and weft-istio: Weft with the
// filters a sidecar's inbound HCM gets (istio.metadata_exchange, istio.stats), whose CPU per
// request against plain weft in the same rounds is the cost of Istio's telemetry.
// Goals (pass/fail in the summary): added p90 ≤ 0.5 ms and p99 ≤ 1 ms at 1000 rps; ≤ 200 µs CPU
// per request (0.2 vCPU per 1000 rps); RSS ≤ 60 MB; throughput ≥ 50% of nginx.
// One JSON line per measurement, then a summary. A baseline whose binary is missing is skipped.
//
// Run: node --import tsx bench/proxy-http.bench.ts [--rounds N] [--secs S] [--profile [FILE]]
//   --profile: instead of the comparison, run Weft (concurrency 1) under wrk with --cpu-prof and
//   print where the time goes (self time by function, file and area); FILE keeps the profile.
//   --istio: profile weft-istio instead (the share of Istio's telemetry filters in the profile).
// Env: WEFT_BENCH_SRC=head benchmarks the committed HEAD (git archive) instead of the work tree.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeft, type WeftBuild } from './lib/build.js';
import { fortio, wrk, type FortioResult, type WrkResult } from './lib/loadgen.js';
import { printFile } from './lib/cpuprofile.js';
import {
  CLK_TCK,
  cpuSplit,
  cpuTicks,
  findBin,
  freePort,
  processTree,
  rssKb,
  rssSampler,
  stopTree,
  waitHttp,
} from './lib/proc.js';
import { args, numberOption, ROOT } from './lib/args.js';
import { staticCluster } from './lib/bootstrap.js';
import { emitter, load, median, note, r1, r3 } from './lib/report.js';

const ROUNDS = numberOption('--rounds', 3);
const SECS = numberOption('--secs', 10);
const WARMUP_SECS = 2;
const WRK_CONNS = 50;
const FORTIO_QPS = 1000;
const FORTIO_CONNS = 64;
const N_CLUSTERS = 1000;
const BIG_HOST = `svc-${N_CLUSTERS - 1}.bench.local`;
const BODY = 'hello from upstream\n';
const GOALS = { addedP90Ms: 0.5, addedP99Ms: 1, cpuUsPerReq: 200, rssMb: 60, vsNginx: 0.5 };

const tmp = mkdtempSync(join(tmpdir(), 'weft-bench-http-'));
const children: ChildProcess[] = [];
const emit = emitter('proxy-http');

// ---------------------------------------------------------------- building and starting things

function start(name: string, cmd: string, argv: string[], logFile?: string): ChildProcess {
  const fd = openSync(logFile ?? join(tmp, `${name}.out`), 'a');
  const c = spawn(cmd, argv, { stdio: ['ignore', fd, fd], cwd: tmp });
  closeSync(fd);
  c.on('error', (e) => note(`${name}: ${e.message}`));
  children.push(c);
  return c;
}

function nginxTempPaths(prefix: string): string {
  mkdirSync(join(tmp, prefix), { recursive: true });
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${join(tmp, prefix, t)};`)
    .join('\n');
}

function nginxConf(prefix: string, http: string): string {
  return `worker_processes 1;
daemon off;
master_process on;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${join(tmp, `${prefix}.pid`)};
error_log ${join(tmp, `${prefix}-error.log`)} warn;
events { worker_connections 8192; }
http {
${nginxTempPaths(prefix)}
  keepalive_requests 10000000;
  keepalive_timeout 300s;
${http}
}
`;
}

function startNginx(bin: string, prefix: string, http: string): ChildProcess {
  const conf = join(tmp, `${prefix}.conf`);
  writeFileSync(conf, nginxConf(prefix, http));
  return start(prefix, bin, ['-p', tmp, '-c', conf, '-e', join(tmp, `${prefix}-error.log`)]);
}

const nginxUpstreamBlock = (name: string, up: number): string =>
  `  upstream ${name} { server 127.0.0.1:${up}; keepalive 64; keepalive_requests 10000000; keepalive_timeout 300s; }`;
const nginxProxyLocation = (name: string): string =>
  `location / { proxy_pass http://${name}; proxy_http_version 1.1; proxy_set_header Connection ""; }`;

function haproxyConf(port: number, backends: string): string {
  return `global
  nbthread 1
  maxconn 4000
  log stdout format raw local0
defaults
  mode http
  log global
  option httplog
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
${backends}
`;
}

function startHaproxy(bin: string, name: string, conf: string): ChildProcess {
  const file = join(tmp, `${name}.cfg`);
  writeFileSync(file, conf);
  return start(name, bin, ['-f', file, '-db'], join(tmp, `${name}-access.log`));
}

/** What Istio's control plane puts around the router on a sidecar's inbound HCM. */
const ISTIO_TELEMETRY_FILTERS = [
  {
    name: 'istio.metadata_exchange',
    typed_config: {
      '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct',
      type_url: 'type.googleapis.com/io.istio.http.peer_metadata.Config',
      value: {
        downstream_discovery: [{ istio_headers: {} }],
        downstream_propagation: [{ istio_headers: {} }],
      },
    },
  },
  {
    name: 'istio.stats',
    typed_config: {
      '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct',
      type_url: 'type.googleapis.com/stats.PluginConfig',
      value: { disable_host_header_fallback: true },
    },
  },
];
const ISTIO_NODE_METADATA = {
  NAME: 'bench-v1-0',
  NAMESPACE: 'bench',
  WORKLOAD_NAME: 'bench-v1',
  CLUSTER_ID: 'Kubernetes',
  LABELS: { app: 'bench', version: 'v1' },
};

function weftBootstrap(port: number, admin: number, up: number, clusters: number, istio = false): object {
  const cluster = (name: string): object => staticCluster(name, up);
  const vhosts = [];
  for (let i = 0; i < clusters; i++)
    vhosts.push({
      name: `svc-${i}`,
      domains: [`svc-${i}.bench.local`, `svc-${i}.bench.local:${port}`],
      routes: [{ match: { prefix: '/' }, route: { cluster: `svc-${i}` } }],
    });
  vhosts.push({
    name: 'default',
    domains: ['*'],
    routes: [{ match: { prefix: '/' }, route: { cluster: 'upstream' } }],
  });
  return {
    node: { id: 'bench', cluster: 'bench', ...(istio ? { metadata: ISTIO_NODE_METADATA } : {}) },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: admin } } },
    static_resources: {
      listeners: [
        {
          name: 'http',
          ...(istio ? { traffic_direction: 'INBOUND' } : {}),
          address: { socket_address: { address: '127.0.0.1', port_value: port } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'ingress',
                    access_log: [
                      {
                        name: 'envoy.access_loggers.file',
                        typed_config: {
                          '@type':
                            'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
                          path: join(tmp, `weft-${port}-access.log`),
                        },
                      },
                    ],
                    route_config: { name: 'local', virtual_hosts: vhosts },
                    http_filters: [
                      ...(istio ? ISTIO_TELEMETRY_FILTERS : []),
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: {
                          '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                        },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [cluster('upstream'), ...Array.from({ length: clusters }, (_, i) => cluster(`svc-${i}`))],
    },
  };
}

interface Target {
  name: string;
  port: number;
  child?: ChildProcess;
  /** Host header to send (the 1000-cluster config routes by host) */
  host?: string;
  fortio: boolean;
  note: string;
}

async function startWeft(
  main: string,
  name: string,
  up: number,
  clusters: number,
  concurrency: number,
  nodeArgs: string[] = [],
  istio = false,
): Promise<Target> {
  const [port, admin] = [await freePort(), await freePort()];
  const boot = join(tmp, `${name}.json`);
  writeFileSync(boot, JSON.stringify(weftBootstrap(port, admin, up, clusters, istio)));
  const child = start(name, process.execPath, [
    ...nodeArgs,
    main,
    'proxy',
    '--bootstrap',
    boot,
    '--admin',
    `127.0.0.1:${admin}`,
    '--concurrency',
    String(concurrency),
    '--drain-time',
    '1',
  ]);
  const host = clusters > 0 ? BIG_HOST : undefined;
  try {
    await waitHttp(port, '/', 60000, host);
  } catch (e) {
    const log = join(tmp, `${name}.out`);
    throw new Error(
      `${name} did not come up: ${(e as Error).message}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : ''}`,
      { cause: e },
    );
  }
  return {
    name,
    port,
    child,
    host,
    fortio: concurrency === 1,
    note: `weft proxy --concurrency ${concurrency}, ${clusters} extra clusters/vhosts, file access log${istio ? ', istio.metadata_exchange + istio.stats' : ''} (admin ${admin})`,
  };
}

// ---------------------------------------------------------------- measuring

interface Tools {
  wrk?: string;
  fortio?: string;
}

const treeOf = (t: Target): number[] => (t.child?.pid ? processTree(t.child.pid) : []);

async function measure<T extends WrkResult | FortioResult>(
  t: Target,
  upstream: ChildProcess,
  go: () => Promise<T>,
): Promise<{ r: T; cpuUs: number; sysPct: number; upCpuUs: number; rssMb: number; load1: number }> {
  const load1 = load()[0]!;
  const pids = treeOf(t);
  const upPids = processTree(upstream.pid!);
  const sampler = rssSampler(() => pids);
  const [c0, u0] = [cpuSplit(pids), cpuTicks(upPids)];
  const r = await go();
  const [c1, u1] = [cpuSplit(pids), cpuTicks(upPids)];
  const rss = sampler.stop();
  const us = (ticks: number): number => (ticks * 1e6) / CLK_TCK / Math.max(r.requests, 1);
  const [user, sys] = [c1[0] - c0[0], c1[1] - c0[1]];
  return {
    r,
    cpuUs: r1(us(user + sys)),
    sysPct: Math.round((100 * sys) / Math.max(user + sys, 1)),
    upCpuUs: r1(us(u1 - u0)),
    rssMb: r1(rss / 1024),
    load1,
  };
}

interface Row {
  target: string;
  round: number;
  wrk?: { rps: number; cpuUs: number; rssMb: number; p50: number; p99: number };
  fortio?: { p50: number; p90: number; p99: number; cpuUs: number; rssMb: number; qps: number };
}

async function round(n: number, targets: Target[], upstream: ChildProcess, tools: Tools): Promise<Row[]> {
  const rows: Row[] = [];
  for (const t of targets) {
    const url = `http://127.0.0.1:${t.port}/`;
    const hostArgs = t.host ? ['-H', `Host: ${t.host}`] : [];
    const row: Row = { target: t.name, round: n };
    if (tools.wrk) {
      await wrk(tools.wrk, url, WRK_CONNS, WARMUP_SECS, hostArgs);
      const m = await measure(t, upstream, () => wrk(tools.wrk!, url, WRK_CONNS, SECS, hostArgs));
      row.wrk = { rps: Math.round(m.r.rps), cpuUs: m.cpuUs, rssMb: m.rssMb, p50: m.r.p50, p99: m.r.p99 };
      emit({
        kind: 'throughput',
        tool: `wrk -t1 -c${WRK_CONNS} -d${SECS}s`,
        target: t.name,
        round: n,
        rps: Math.round(m.r.rps),
        requests: m.r.requests,
        errors: m.r.errors + m.r.non2xx,
        p50_ms: m.r.p50,
        p90_ms: m.r.p90,
        p99_ms: m.r.p99,
        proxy_cpu_us_per_req: t.child ? m.cpuUs : null,
        proxy_cpu_sys_pct: t.child ? m.sysPct : null,
        upstream_cpu_us_per_req: m.upCpuUs,
        rss_mb_max: t.child ? m.rssMb : null,
        load1_at_start: m.load1,
      });
    }
    if (tools.fortio && t.fortio) {
      const m = await measure(t, upstream, () =>
        fortio(tools.fortio!, url, FORTIO_QPS, FORTIO_CONNS, SECS, tmp, hostArgs),
      );
      row.fortio = {
        p50: r3(m.r.p50),
        p90: r3(m.r.p90),
        p99: r3(m.r.p99),
        cpuUs: m.cpuUs,
        rssMb: m.rssMb,
        qps: Math.round(m.r.qps),
      };
      emit({
        kind: 'latency',
        tool: `fortio load -qps ${FORTIO_QPS} -c ${FORTIO_CONNS} -t ${SECS}s`,
        target: t.name,
        round: n,
        qps: Math.round(m.r.qps),
        requests: m.r.requests,
        errors: m.r.errors,
        p50_ms: r3(m.r.p50),
        p90_ms: r3(m.r.p90),
        p99_ms: r3(m.r.p99),
        proxy_cpu_us_per_req: t.child ? m.cpuUs : null,
        proxy_cpu_sys_pct: t.child ? m.sysPct : null,
        proxy_vcpu_per_1000rps: t.child ? r3((m.cpuUs * 1000) / 1e6) : null,
        upstream_cpu_us_per_req: m.upCpuUs,
        rss_mb_max: t.child ? m.rssMb : null,
        load1_at_start: m.load1,
      });
    }
    rows.push(row);
  }
  return rows;
}

async function idleRss(t: Target | { name: string; child: ChildProcess }, what: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 2000));
  const pids = processTree(t.child!.pid!);
  const mb = r1(rssKb(pids) / 1024);
  emit({ kind: 'idle-rss', target: t.name, config: what, processes: pids.length, rss_mb: mb });
  return mb;
}

// ---------------------------------------------------------------- the comparison

async function startUpstream(
  nginx: string | undefined,
): Promise<{ child: ChildProcess; port: number; what: string }> {
  const port = await freePort();
  let child: ChildProcess;
  let what: string;
  if (nginx) {
    child = startNginx(
      nginx,
      'upstream',
      `  access_log off;
  server { listen 127.0.0.1:${port}; location / { default_type text/plain; return 200 "${BODY.replace('\n', '\\n')}"; } }`,
    );
    what = 'nginx 1 worker, return 200 (20-byte body)';
  } else {
    const src = `const b=Buffer.from(${JSON.stringify(BODY)});require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'text/plain','content-length':b.length});s.end(b)}).listen(${port},'127.0.0.1')`;
    child = start('upstream', process.execPath, ['-e', src]);
    what = 'node:http, 20-byte body';
  }
  await waitHttp(port);
  return { child, port, what };
}

async function compare(): Promise<void> {
  const tools: Tools = { wrk: findBin('wrk'), fortio: findBin('fortio') };
  const nginx = findBin('nginx');
  const haproxy = findBin('haproxy');
  if (!tools.wrk) note('SKIP throughput: wrk not found (apt-get install -y wrk)');
  if (!tools.fortio)
    note(
      'SKIP fixed-QPS latency: fortio not found (go install fortio.org/fortio@v1.68.2; newer ones need grol.io, not served)',
    );
  if (!nginx)
    note(
      'SKIP nginx baseline: nginx not found (apt-get install -y nginx-light); upstream falls back to node:http',
    );
  if (!haproxy) note('SKIP haproxy baseline: haproxy not found (apt-get install -y haproxy)');
  const { main, source } = build();
  const up = await startUpstream(nginx);
  note(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}; weft: ${source}`);
  note(`upstream: ${up.what} on 127.0.0.1:${up.port}; rounds ${ROUNDS}, ${SECS} s per measurement`);

  const targets: Target[] = [{ name: 'direct', port: up.port, fortio: true, note: 'wrk/fortio → upstream' }];
  const weft = await startWeft(main, 'weft', up.port, 0, 1);
  targets.push(weft);
  targets.push(await startWeft(main, 'weft-istio', up.port, 0, 1, [], true));
  if (nginx) {
    const port = await freePort();
    const child = startNginx(
      nginx,
      'nginx',
      `  access_log ${join(tmp, 'nginx-access.log')} combined buffer=64k flush=1s;
${nginxUpstreamBlock('up', up.port)}
  server { listen 127.0.0.1:${port}; ${nginxProxyLocation('up')} }`,
    );
    await waitHttp(port);
    targets.push({
      name: 'nginx',
      port,
      child,
      fortio: true,
      note: 'nginx 1 worker, upstream keepalive 64, access log',
    });
  }
  if (haproxy) {
    const port = await freePort();
    const child = startHaproxy(
      haproxy,
      'haproxy',
      haproxyConf(port, `backend be\n  server s1 127.0.0.1:${up.port} maxconn 1000`),
    );
    await waitHttp(port);
    targets.push({
      name: 'haproxy',
      port,
      child,
      fortio: true,
      note: 'haproxy nbthread 1, http-reuse always, httplog',
    });
  }
  const weft2 = await startWeft(main, 'weft-c2', up.port, 0, 2);
  targets.push(weft2);
  const big = await startWeft(main, `weft-${N_CLUSTERS}`, up.port, N_CLUSTERS, 1);
  targets.push(big);
  for (const t of targets) if (t.child) note(`${t.name}: 127.0.0.1:${t.port}: ${t.note}`);

  // idle RSS (after a 2 s settle); the 1000-cluster configs of nginx/haproxy only for this
  const idle: Record<string, number> = {};
  for (const t of targets)
    if (t.child) idle[t.name] = await idleRss(t, t === big ? `${N_CLUSTERS} clusters` : '1 cluster');
  if (nginx) {
    const port = await freePort();
    const ups = Array.from({ length: N_CLUSTERS }, (_, i) => nginxUpstreamBlock(`svc_${i}`, up.port)).join(
      '\n',
    );
    const servers = Array.from(
      { length: N_CLUSTERS },
      (_, i) =>
        `  server { listen 127.0.0.1:${port}; server_name svc-${i}.bench.local; ${nginxProxyLocation(`svc_${i}`)} }`,
    ).join('\n');
    const child = startNginx(
      nginx,
      'nginx-1000',
      `  access_log off;\n${nginxUpstreamBlock('up', up.port)}\n${ups}\n  server { listen 127.0.0.1:${port} default_server; ${nginxProxyLocation('up')} }\n${servers}`,
    );
    await waitHttp(port);
    idle['nginx-1000'] = await idleRss(
      { name: `nginx-${N_CLUSTERS}`, child },
      `${N_CLUSTERS} upstreams + server blocks`,
    );
    await stopTree(child);
  }
  if (haproxy) {
    const port = await freePort();
    const bes = Array.from(
      { length: N_CLUSTERS },
      (_, i) => `backend svc${i}\n  server s1 127.0.0.1:${up.port}`,
    );
    const uses = Array.from(
      { length: N_CLUSTERS },
      (_, i) => `  use_backend svc${i} if { hdr(host) -i svc-${i}.bench.local }`,
    );
    const conf = haproxyConf(port, `backend be\n  server s1 127.0.0.1:${up.port}\n${bes.join('\n')}`).replace(
      '  default_backend be\n',
      `${uses.join('\n')}\n  default_backend be\n`,
    );
    const child = startHaproxy(haproxy, 'haproxy-1000', conf);
    await waitHttp(port);
    idle['haproxy-1000'] = await idleRss(
      { name: `haproxy-${N_CLUSTERS}`, child },
      `${N_CLUSTERS} backends + use_backend rules`,
    );
    await stopTree(child);
  }

  const rows: Row[] = [];
  for (let n = 1; n <= ROUNDS; n++) rows.push(...(await round(n, targets, up.child, tools)));

  // sanity: Weft counted and logged what it served
  for (const t of [weft, big]) {
    const logFile = join(tmp, `weft-${t.port}-access.log`);
    const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').length - 1 : 0;
    note(`${t.name}: access log ${lines} lines`);
  }

  summary(targets, rows, idle);
}

function summary(targets: Target[], rows: Row[], idle: Record<string, number>): void {
  const of = (name: string): Row[] => rows.filter((r) => r.target === name);
  const byRound = (name: string, n: number): Row | undefined =>
    rows.find((r) => r.target === name && r.round === n);
  const added = (name: string, p: 'p50' | 'p90' | 'p99'): number =>
    median(
      of(name).map((r) => {
        const d = byRound('direct', r.round)?.fortio;
        return r.fortio && d ? r.fortio[p] - d[p] : NaN;
      }),
    );
  const ratio = (name: string, base: string): number =>
    median(
      of(name).map((r) => {
        const b = byRound(base, r.round)?.wrk;
        return r.wrk && b ? r.wrk.rps / b.rps : NaN;
      }),
    );
  console.log(
    `\nproxy-http summary (medians of ${ROUNDS} interleaved rounds; load average now ${load().join(' ')})`,
  );
  console.log(
    '| target | req/s (wrk -c50) | vs nginx | vs direct | CPU µs/req @max | RSS MB @max | p50 / p90 / p99 ms @1000 rps | added p50 / p90 / p99 ms | CPU µs/req @1000 rps | RSS MB @1000 rps | idle RSS MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
  for (const t of targets) {
    const rs = of(t.name);
    const w = (k: 'rps' | 'cpuUs' | 'rssMb'): number => median(rs.map((r) => r.wrk?.[k] ?? NaN));
    const q = (k: 'p50' | 'p90' | 'p99' | 'cpuUs' | 'rssMb'): number =>
      median(rs.map((r) => r.fortio?.[k] ?? NaN));
    const proxy = t.name !== 'direct';
    console.log(
      `| ${t.name} | ${f(w('rps'), 0)} | ${f(ratio(t.name, 'nginx'), 2)} | ${f(ratio(t.name, 'direct'), 2)} | ${proxy ? f(w('cpuUs')) : '–'} | ${proxy ? f(w('rssMb')) : '–'} | ${t.fortio ? `${f(q('p50'), 2)} / ${f(q('p90'), 2)} / ${f(q('p99'), 2)}` : '–'} | ${proxy && t.fortio ? `${f(added(t.name, 'p50'), 2)} / ${f(added(t.name, 'p90'), 2)} / ${f(added(t.name, 'p99'), 2)}` : '–'} | ${proxy && t.fortio ? f(q('cpuUs')) : '–'} | ${proxy && t.fortio ? f(q('rssMb')) : '–'} | ${f(idle[t.name] ?? NaN)} |`,
    );
  }
  const telemetryCost = (k: 'wrk' | 'fortio'): number =>
    median(of('weft-istio').map((r) => (r[k]?.cpuUs ?? NaN) - (byRound('weft', r.round)?.[k]?.cpuUs ?? NaN)));
  console.log(
    `Istio telemetry filters (weft-istio − weft, same round): CPU µs/req ${f(telemetryCost('wrk'))} @max, ${f(telemetryCost('fortio'))} @1000 rps`,
  );
  if (idle['nginx-1000'] !== undefined)
    console.log(`nginx idle RSS with ${N_CLUSTERS} upstreams: ${idle['nginx-1000']} MB`);
  if (idle['haproxy-1000'] !== undefined)
    console.log(`haproxy idle RSS with ${N_CLUSTERS} backends: ${idle['haproxy-1000']} MB`);

  const goal = (name: string, value: number, ok: boolean, target: string): void => {
    const verdict = Number.isFinite(value) ? (ok ? 'PASS' : 'FAIL') : 'N/A';
    console.log(`goal ${verdict}: ${name} = ${f(value, 2)} (goal ${target})`);
    emit({ kind: 'goal', goal: name, value: Number.isFinite(value) ? r3(value) : null, target, verdict });
  };
  const bigName = `weft-${N_CLUSTERS}`;
  const q = (name: string, k: 'cpuUs' | 'rssMb'): number => median(of(name).map((r) => r.fortio?.[k] ?? NaN));
  for (const name of ['weft', bigName]) {
    goal(
      `${name} added p90 ms @1000 rps`,
      added(name, 'p90'),
      added(name, 'p90') <= GOALS.addedP90Ms,
      `≤ ${GOALS.addedP90Ms}`,
    );
    goal(
      `${name} added p99 ms @1000 rps`,
      added(name, 'p99'),
      added(name, 'p99') <= GOALS.addedP99Ms,
      `≤ ${GOALS.addedP99Ms}`,
    );
    goal(
      `${name} CPU µs/req @1000 rps`,
      q(name, 'cpuUs'),
      q(name, 'cpuUs') <= GOALS.cpuUsPerReq,
      `≤ ${GOALS.cpuUsPerReq}`,
    );
  }
  goal(
    `${bigName} idle RSS MB`,
    idle[bigName] ?? NaN,
    (idle[bigName] ?? NaN) <= GOALS.rssMb,
    `≤ ${GOALS.rssMb}`,
  );
  goal(
    `${bigName} RSS MB @1000 rps`,
    q(bigName, 'rssMb'),
    q(bigName, 'rssMb') <= GOALS.rssMb,
    `≤ ${GOALS.rssMb}`,
  );
  const wr = ratio('weft', 'nginx');
  goal('weft throughput / nginx', wr, wr >= GOALS.vsNginx, `≥ ${GOALS.vsNginx}`);
  const wr2 = ratio('weft-c2', 'nginx');
  goal('weft --concurrency 2 throughput / nginx', wr2, wr2 >= GOALS.vsNginx, `≥ ${GOALS.vsNginx}`);
}

// ---------------------------------------------------------------- profiling

async function profile(keep: string | undefined): Promise<void> {
  const wrkBin = findBin('wrk');
  if (!wrkBin) throw new Error('--profile needs wrk (apt-get install -y wrk)');
  const { main, source } = build();
  const up = await startUpstream(findBin('nginx'));
  const dir = join(tmp, 'prof');
  const istio = args.includes('--istio');
  const t = await startWeft(main, 'weft', up.port, 0, 1, ['--cpu-prof', '--cpu-prof-dir', dir], istio);
  note(
    `profiling weft${istio ? '-istio' : ''} (${source}) under wrk -t1 -c${WRK_CONNS} -d${SECS}s; upstream ${up.what}`,
  );
  await wrk(wrkBin, `http://127.0.0.1:${t.port}/`, WRK_CONNS, WARMUP_SECS);
  const m = await measure(t, up.child, () => wrk(wrkBin, `http://127.0.0.1:${t.port}/`, WRK_CONNS, SECS));
  emit({
    kind: 'profile-run',
    target: `weft${istio ? '-istio' : ''} --cpu-prof`,
    rps: Math.round(m.r.rps),
    proxy_cpu_us_per_req: m.cpuUs,
    proxy_cpu_sys_pct: m.sysPct,
  });
  await stopTree(t.child!, 20000);
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!file) throw new Error('no .cpuprofile was written (did the proxy exit cleanly?)');
  if (keep) copyFileSync(join(dir, file), keep);
  printFile(join(dir, file), 30);
}

// ---------------------------------------------------------------- main

let built: WeftBuild | undefined;
const build = (): WeftBuild => (built = buildWeft(ROOT, note));

async function cleanup(): Promise<void> {
  await Promise.all(children.map((c) => stopTree(c)));
  built?.remove();
  rmSync(tmp, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));

const pi = args.indexOf('--profile');
const job = pi >= 0 ? profile(args[pi + 1]?.startsWith('--') ? undefined : args[pi + 1]) : compare();
job.then(
  () => cleanup(),
  async (e: Error) => {
    console.error(`proxy-http bench failed: ${e.stack ?? e.message}`);
    await cleanup();
    process.exitCode = 1;
  },
);
