// The local mesh as the CLI drives it: `weft up` in the foreground or detached, waiting for
// workloads to become Ready, and `weft down` (stop the running `up`, then remove whatever a
// crashed one left).
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeCommand } from '../agent/entry.js';
import { resolveStateDir } from '../config/state-dir.js';
import { cleanupAll } from './cleanup.js';
import { publishMap } from './ingress.js';
import { netStateDir } from './workloads/paths.js';
import { liveRuntime, processAlive, readRuntimeInfo, type RuntimeInfo } from './workloads/state.js';

export interface UpFlags {
  filename?: string[];
  images?: string;
  detach?: boolean;
  stateDir?: string;
  podCidr?: string;
  serviceCidr?: string;
  publish?: string[];
  egressGateway?: boolean;
  xdsPort?: number;
  httpPort?: number;
  caPort?: number;
  timeout: number;
}

const say = (msg: string): void => void process.stderr.write(`${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Applies -f inputs through the running control plane's config API (as `weft apply`). */
async function applyFiles(files: string[], http: string): Promise<number> {
  const { sendManifests } = await import('../config/sources/api-client.js');
  return sendManifests('apply', { filename: files, server: http });
}

function describeWaiting(info: RuntimeInfo): string {
  const notReady = info.pods.filter((p) => !p.status.ready && !p.status.terminating);
  const parts = notReady.map((p) => {
    const why = p.status.message ?? p.status.containers.find((c) => c.reason)?.reason ?? p.status.phase;
    return `${p.namespace}/${p.name} (${why})`;
  });
  return [
    ...parts,
    ...info.pending.filter((d) => !notReady.some((p) => `${p.namespace}/${p.owner}` === d)),
  ].join(', ');
}

/** Time for applied config to reach the controller and runtime.json (store debounce + status write). */
const SETTLE_MS = 400;

interface TypeSync {
  status: string;
  acked_version?: string;
  nack?: string;
  error?: string;
}

/**
 * What keeps the proxies from serving the current config, from the control plane's /debug/syncz:
 * a proxy not connected, or a type sent and not yet ACKed (with the NACK or generation error when
 * there is one; a type never sent is one the proxy has no use for yet, e.g. RDS without routes). The second value fingerprints the ACKed versions, to tell a settled state from a push.
 */
async function xdsLag(info: RuntimeInfo): Promise<{ lag: string[]; acked: string }> {
  const res = await fetch(`http://${info.controlPlane.http}/debug/syncz`, {
    signal: AbortSignal.timeout(3000),
  });
  const sync = (await res.json()) as { name: string; types: Record<string, TypeSync> }[];
  const lag: string[] = [];
  for (const p of info.pods) {
    if (!p.proxy || p.status.terminating) continue;
    const s = sync.find((x) => x.name === `${p.name}.${p.namespace}`);
    if (!s) {
      lag.push(`${p.namespace}/${p.name} (proxy not connected to the control plane)`);
      continue;
    }
    for (const [type, t] of Object.entries(s.types))
      if (t.status === 'STALE' || t.nack || t.error)
        lag.push(`${p.namespace}/${p.name} (${type} ${t.nack ? `NACK: ${t.nack}` : (t.error ?? t.status)})`);
  }
  const acked = sync.map((s) => Object.values(s.types).map((t) => t.acked_version)).join();
  return { lag, acked };
}

/**
 * Waits until no rollout is pending (after the last apply has settled) and every proxy has ACKed
 * the config that includes the Ready pods' endpoints, so that the ingress serves the moment this
 * returns. The control plane debounces pushes (100 ms), so the ACKed versions must hold still
 * across one poll before the push that follows a pod's readiness counts as done.
 */
export async function waitUntilReady(stateDir: string, timeoutMs: number): Promise<RuntimeInfo> {
  await sleep(SETTLE_MS);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let ackedBefore: string | undefined;
  for (;;) {
    const info = readRuntimeInfo(stateDir);
    if (!info || !processAlive(info.pid))
      throw new Error('weft up stopped; see its output above (or weft-up.log in the state directory)');
    let waiting: string;
    if (info.pending.length === 0) {
      const { lag, acked } = await xdsLag(info);
      if (lag.length === 0 && acked === ackedBefore) return info;
      ackedBefore = lag.length === 0 ? acked : undefined;
      waiting = lag.join(', ');
    } else {
      ackedBefore = undefined;
      waiting = describeWaiting(info);
    }
    if (waiting && waiting !== last) say(`waiting for ${waiting}`);
    last = waiting;
    if (Date.now() > deadline) throw new Error(`workloads not Ready after ${timeoutMs / 1000}s: ${waiting}`);
    await sleep(250);
  }
}

function ingressSummary(info: RuntimeInfo): string {
  return `ingress gateway: http://${info.ingress['80']}/ (https ${info.ingress['443']}, tcp ${info.ingress['31400']})`;
}

export async function runUp(flags: UpFlags, onReady?: (info: RuntimeInfo) => Promise<void>): Promise<number> {
  const stateDir = resolveStateDir(flags.stateDir);
  const running = liveRuntime(stateDir);
  if (running) {
    say(`error: weft up is already running (pid ${running.pid}); use \`weft apply\`, or \`weft down\` first`);
    return 1;
  }
  const files = flags.filename ?? [];
  if (flags.detach) return runDetached(flags, stateDir, files);
  const { startLocalMesh } = await import('./up.js');
  const mesh = await startLocalMesh({
    stateDir,
    images: flags.images,
    podCidr: flags.podCidr,
    serviceCidr: flags.serviceCidr,
    publish: publishMap(flags.publish ?? []),
    egressGateway: flags.egressGateway,
    xdsPort: flags.xdsPort,
    httpPort: flags.httpPort,
    caPort: flags.caPort,
    log: say,
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= (say('stopping: draining pods…'), mesh.close()));
  // Handlers stay installed: a second Ctrl-C must not kill the process halfway through cleanup.
  const signalled = new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  try {
    if (files.length > 0 && (await applyFiles(files, mesh.cp.httpAddress)) !== 0) {
      await stop();
      return 1;
    }
    const info = await Promise.race([waitUntilReady(stateDir, flags.timeout * 1000), signalled]);
    if (info) {
      say(`mesh ready: ${info.pods.length} pods; ${ingressSummary(info)}`);
      await onReady?.(info);
    }
    say('press Ctrl-C to stop');
    await signalled;
  } finally {
    await stop();
  }
  return 0;
}

async function runDetached(flags: UpFlags, stateDir: string, files: string[]): Promise<number> {
  if (files.includes('-')) {
    say('error: --detach cannot read -f - (stdin); apply it afterwards with `weft apply -f -`');
    return 2;
  }
  const args = ['up', '--state-dir', stateDir, '--timeout', String(flags.timeout)];
  const pass: [string, string | number | boolean | undefined][] = [
    ['--images', flags.images],
    ['--pod-cidr', flags.podCidr],
    ['--service-cidr', flags.serviceCidr],
    ['--xds-port', flags.xdsPort],
    ['--http-port', flags.httpPort],
    ['--ca-port', flags.caPort],
  ];
  for (const [k, v] of pass) if (v !== undefined) args.push(k, String(v));
  for (const p of flags.publish ?? []) args.push('--publish', p);
  if (flags.egressGateway) args.push('--egress-gateway');
  const log = join(stateDir, 'weft-up.log');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(stateDir, { recursive: true });
  const out = openSync(log, 'a');
  const { command, args: base } = nodeCommand('cli/main', args);
  const child = spawn(command, base, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  say(`weft up running in the background (pid ${child.pid}, log ${log})`);
  const deadline = Date.now() + 60_000;
  let info: RuntimeInfo | undefined;
  while (!(info = readRuntimeInfo(stateDir)) || info.pid !== child.pid) {
    if (!processAlive(child.pid!)) {
      say(`error: weft up exited during start-up; see ${log}`);
      return 1;
    }
    if (Date.now() > deadline) {
      say(`error: weft up did not start within 60s; see ${log}`);
      return 1;
    }
    await sleep(200);
  }
  if (files.length > 0 && (await applyFiles(files, info.controlPlane.http)) !== 0) return 1;
  const ready = await waitUntilReady(stateDir, flags.timeout * 1000);
  say(`mesh ready: ${ready.pods.length} pods; ${ingressSummary(ready)}`);
  return 0;
}

/** `weft down`: stops the running `weft up` (graceful), then removes anything left behind. */
export async function runDown(opts: { stateDir?: string; timeout: number }): Promise<number> {
  const stateDir = resolveStateDir(opts.stateDir);
  const info = liveRuntime(stateDir);
  if (info) {
    say(`stopping weft up (pid ${info.pid})…`);
    process.kill(info.pid, 'SIGTERM');
    const deadline = Date.now() + opts.timeout * 1000;
    while (processAlive(info.pid) && Date.now() < deadline) await sleep(200);
    if (processAlive(info.pid)) {
      say(`weft up did not stop within ${opts.timeout}s; killing it`);
      process.kill(info.pid, 'SIGKILL');
    }
  }
  const report = await cleanupAll({ stateDir: netStateDir(stateDir) });
  if (report.runs.length > 0)
    say(
      `removed ${report.namespaces.length} pod namespaces and ${report.links.length} links of run ${report.runs.join(', ')}`,
    );
  say(info || report.runs.length > 0 ? 'mesh stopped' : 'no mesh was running');
  return 0;
}

const SAMPLE = fileURLToPath(new URL('../../samples/weather/', import.meta.url));

/** Polls `url` until it answers 200 (the page through the ingress gateway). */
async function until200(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s (last: ${last})`);
    await sleep(250);
  }
}

/** `weft demo`: `up` with the weather sample, then the page URL and how to try a canary. */
export async function runDemo(flags: UpFlags): Promise<number> {
  const started = Date.now();
  const demo: UpFlags = {
    ...flags,
    filename: [
      join(SAMPLE, 'install/namespaces.yaml'),
      join(SAMPLE, 'install/weather-v1.yaml'),
      join(SAMPLE, 'networking'),
    ],
    images: flags.images ?? join(SAMPLE, 'images.yaml'),
  };
  return runUp(demo, async (info) => {
    const url = `http://${info.ingress['80']}/`;
    const weft = invokedAs();
    await until200(url, flags.timeout * 1000);
    say(
      `the weather page answers through the ingress gateway after ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    process.stdout.write(
      [
        '',
        `  Weather page:  ${url}   (try ${url}?city=Paris)`,
        '',
        '  Try a canary: deploy v2, then send half of the forecast traffic to it:',
        `    ${weft} apply -f ${join(SAMPLE, 'install/weather-v2.yaml')}`,
        `    cat <<EOF | ${weft} apply -f -`,
        '    apiVersion: networking.istio.io/v1beta1',
        '    kind: VirtualService',
        '    metadata: { name: forecast-route, namespace: weather }',
        '    spec:',
        '      hosts: [forecast]',
        '      http:',
        '      - route:',
        '        - { destination: { host: forecast, subset: v1 }, weight: 50 }',
        '        - { destination: { host: forecast, subset: v2 }, weight: 50 }',
        '    EOF',
        '',
        `  Pods: ${weft} status    Logs: ${weft} logs deploy/forecast-v1 -n weather -c proxy`,
        '',
      ].join('\n'),
    );
  });
}

/** How the user ran weft (`bin/weft` from a clone, `weft` on PATH), so printed hints can be pasted. */
function invokedAs(): string {
  const script = process.argv[1] ?? '';
  if (basename(script) !== 'weft') return 'weft';
  if ((process.env.PATH ?? '').split(delimiter).includes(dirname(script))) return 'weft';
  const rel = relative(process.cwd(), script);
  return rel.startsWith('..') ? script : rel;
}
