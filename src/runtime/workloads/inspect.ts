// The CLI's views of a running local mesh, read from runtime.json and the state directory:
// `weft status` (kubectl get pods), `weft logs`, `weft exec`.
import { createReadStream, existsSync, statSync, watchFile } from 'node:fs';
import { formatTable } from '../../cli/table.js';
import { resolveStateDir } from '../../config/state-dir.js';
import { runInNetns, spawnInNetns } from '../net/exec.js';
import { ADMIN_PORT } from './inject.js';
import { proxyConfigView, type ProxyConfigKind } from './proxy-config.js';
import { containerLogFile, PROXY_CONTAINER } from './paths.js';
import { findPod, liveRuntime, type PodRecord, type RuntimeInfo } from './state.js';

const fail = (msg: string): number => (process.stderr.write(`error: ${msg}\n`), 1);

function running(stateDir?: string): RuntimeInfo | undefined {
  const info = liveRuntime(resolveStateDir(stateDir));
  if (!info)
    process.stderr.write('error: no local mesh is running; start one with `weft up` or `weft demo`\n');
  return info;
}

function age(since: number): string {
  const s = Math.max(0, Math.floor((Date.now() - since) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

/** kubectl's STATUS column: a waiting reason wins, then Terminating, then the phase. */
export function statusColumn(p: PodRecord): string {
  if (p.status.terminating) return 'Terminating';
  const waiting = p.status.containers.find((c) => c.state === 'Waiting' && c.reason);
  return waiting?.reason ?? p.status.phase;
}

export function printStatus(opts: { namespace?: string; stateDir?: string; output?: 'json' }): number {
  const info = running(opts.stateDir);
  if (!info) return 1;
  const pods = info.pods.filter((p) => !opts.namespace || p.namespace === opts.namespace);
  if (opts.output === 'json') {
    process.stdout.write(`${JSON.stringify({ pods, ingress: info.ingress }, null, 2)}\n`);
    return 0;
  }
  const rows = pods.map((p) => {
    const cs = p.status.containers;
    return [
      p.namespace,
      p.name,
      `${cs.filter((c) => c.ready).length}/${cs.length}`,
      statusColumn(p),
      String(cs.reduce((n, c) => n + c.restartCount, 0)),
      age(p.status.startTime),
      p.status.ip ?? '<none>',
    ];
  });
  process.stdout.write(formatTable(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP'], rows));
  for (const p of pods)
    if (p.status.message) process.stderr.write(`${p.namespace}/${p.name}: ${p.status.message}\n`);
  return 0;
}

function pickPod(info: RuntimeInfo, ref: string, namespace?: string): PodRecord | undefined {
  const pod = findPod(info, ref, namespace);
  if (!pod)
    fail(`pod ${ref} not found${namespace ? ` in namespace ${namespace}` : ''} (see \`weft status\`)`);
  return pod;
}

export async function printLogs(
  ref: string,
  opts: { container?: string; namespace?: string; follow?: boolean; stateDir?: string },
): Promise<number> {
  const stateDir = resolveStateDir(opts.stateDir);
  const info = running(opts.stateDir);
  const pod = info && pickPod(info, ref, opts.namespace);
  if (!pod) return 1;
  const names = pod.status.containers.map((c) => c.name);
  const wanted = opts.container === 'proxy' ? PROXY_CONTAINER : opts.container;
  const container = wanted ?? names.find((n) => n !== PROXY_CONTAINER) ?? names[0]!;
  if (!names.includes(container))
    return fail(
      `container ${container} is not in pod ${pod.namespace}/${pod.name} (containers: ${names.join(', ')})`,
    );
  const file = containerLogFile(stateDir, pod.namespace, pod.name, container);
  if (!existsSync(file))
    return fail(`container ${container} of ${pod.namespace}/${pod.name} has not started yet`);
  let offset = 0;
  const copy = (): Promise<void> =>
    new Promise((resolve) => {
      const size = statSync(file).size;
      if (size <= offset) return resolve();
      createReadStream(file, { start: offset, end: size - 1 })
        .on('end', resolve)
        .pipe(process.stdout, { end: false });
      offset = size;
    });
  await copy();
  if (opts.follow) {
    watchFile(file, { interval: 250 }, () => void copy());
    await new Promise(() => undefined);
  }
  return 0;
}

export async function execInPod(
  ref: string,
  command: string[],
  opts: { namespace?: string; stateDir?: string },
): Promise<number> {
  const info = running(opts.stateDir);
  const pod = info && pickPod(info, ref, opts.namespace);
  if (!pod) return 1;
  if (!pod.netns) return fail(`pod ${pod.namespace}/${pod.name} has no network yet (${statusColumn(pod)})`);
  const [cmd, ...args] = command;
  const child = spawnInNetns(pod.netns, cmd!, args, { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.on('error', (e) => resolve(fail(`${cmd}: ${e.message}`)));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// Runs inside the pod's netns: the admin API listens on the pod's loopback only.
const FETCH_ADMIN = `fetch('http://127.0.0.1:${ADMIN_PORT}' + process.argv[1]).then(async (r) => { if (!r.ok) throw new Error(r.status + ' ' + (await r.text())); process.stdout.write(await r.text()); }).catch((e) => { console.error(e.message); process.exit(1); })`;

export async function printProxyConfig(
  kind: ProxyConfigKind,
  ref: string,
  opts: { namespace?: string; stateDir?: string; output?: 'json' },
): Promise<number> {
  const info = running(opts.stateDir);
  const pod = info && pickPod(info, ref, opts.namespace);
  if (!pod) return 1;
  const netns = pod.netns;
  if (!netns) return fail(`pod ${pod.namespace}/${pod.name} has no network yet (${statusColumn(pod)})`);
  try {
    const view = await proxyConfigView(
      kind,
      (path) => runInNetns(netns, process.execPath, ['-e', FETCH_ADMIN, path]),
      opts.output === 'json',
    );
    process.stdout.write(view);
    return 0;
  } catch (e) {
    return fail(`cannot read the proxy of ${pod.namespace}/${pod.name}: ${(e as Error).message}`);
  }
}
