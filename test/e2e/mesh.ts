// Runs the real `weft` CLI against a private local mesh: its own state directory, pod and
// service CIDRs and ports, so e2e tests do not collide with each other or with a user's mesh.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntilReady } from '../../src/runtime/mesh.js';
import { formatPreflight, preflight } from '../../src/runtime/net/preflight.js';

/** Why this machine cannot run a mesh (not root, no iptables, …), for `{ skip }`; false when it can. */
export async function meshSkipReason(): Promise<string | false> {
  const problems = await preflight();
  return (
    problems.length > 0 && `weft up cannot run here (CI runs these as root):\n${formatPreflight(problems)}`
  );
}

export const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const SAMPLE = fileURLToPath(new URL('../../samples/weather/', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function weft(args: readonly string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Claims one of 50 address/port slots for this process with an exclusive lock file, so e2e files
 * running at the same time never pick overlapping CIDRs or ports (a lock whose owner died is reused).
 */
function claimSlot(): { slot: number; release: () => void } {
  const start = randomInt(0, 50);
  for (let i = 0; i < 50; i++) {
    const slot = (start + i) % 50;
    const lock = join(tmpdir(), `weft-e2e-slot-${slot}.lock`);
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { slot, release: () => rmSync(lock, { force: true }) };
    } catch {
      const owner = Number(readFileSync(lock, 'utf8').trim() || 0);
      if (owner && !alive(owner)) rmSync(lock, { force: true });
    }
  }
  throw new Error('no free e2e mesh slot (50 meshes running?)');
}

/** One private mesh: flags that keep it apart from every other. */
export class TestMesh {
  readonly stateDir = mkdtempSync(join(tmpdir(), 'weft-e2e-'));
  private readonly claim = claimSlot();
  readonly ingressPort = 20000 + this.claim.slot * 10;
  private readonly base = 30000 + this.claim.slot * 10;
  private readonly net = 150 + this.claim.slot;

  /** Flags for `weft up`/`demo` (everything but -f). */
  upFlags(): string[] {
    return [
      '--state-dir',
      this.stateDir,
      '--pod-cidr',
      `10.${this.net}.0.0/17`,
      '--service-cidr',
      `10.${this.net}.128.0/17`,
      '--publish',
      `${this.ingressPort}:80`,
      '--publish',
      `${this.ingressPort + 1}:443`,
      '--publish',
      `${this.ingressPort + 2}:31400`,
      '--xds-port',
      String(this.base),
      '--http-port',
      String(this.base + 1),
      '--ca-port',
      String(this.base + 2),
    ];
  }

  /** Foreground `weft up` as a child process (for kill -9 tests). */
  spawnUp(extra: readonly string[] = []): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', MAIN, 'up', ...this.upFlags(), ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /**
   * `weft up --detach` with the sample's namespaces, the given install files (relative to the
   * sample), its networking config and image catalogue; throws with the pods' status and the
   * tail of weft up's log when it fails.
   */
  async upSample(install: readonly string[], extra: readonly string[] = []): Promise<void> {
    const files = ['install/namespaces.yaml', ...install, 'networking'].flatMap((f) => [
      '-f',
      join(SAMPLE, f),
    ]);
    const up = await weft([
      'up',
      '--detach',
      ...extra,
      ...this.upFlags(),
      '--timeout',
      '180',
      ...files,
      '--images',
      join(SAMPLE, 'images.yaml'),
    ]);
    if (up.code === 0) return;
    const status = await weft(['status', '--state-dir', this.stateDir]);
    let log = '';
    try {
      log = readFileSync(join(this.stateDir, 'weft-up.log'), 'utf8').slice(-3000);
    } catch {
      // no log: weft up failed before starting
    }
    throw new Error(
      `weft up --detach failed (${up.code}):\n${up.stderr}\n${status.stdout}${status.stderr}\n${log}`,
    );
  }

  /** `weft apply -f -` (into `namespace` if given), then waits until every rollout is done and every proxy ACKed. */
  async apply(yaml: string, namespace?: string): Promise<void> {
    const r = await weft(
      ['apply', '-f', '-', '--state-dir', this.stateDir, ...(namespace ? ['-n', namespace] : [])],
      yaml,
    );
    if (r.code !== 0) throw new Error(`weft apply failed (${r.code}): ${r.stderr}`);
    await waitUntilReady(this.stateDir, 120_000);
  }

  /** `weft delete -f -`, then waits until every rollout is done and every proxy ACKed. */
  async remove(yaml: string): Promise<void> {
    const r = await weft(['delete', '-f', '-', '--state-dir', this.stateDir], yaml);
    if (r.code !== 0) throw new Error(`weft delete failed (${r.code}): ${r.stderr}`);
    await waitUntilReady(this.stateDir, 120_000);
  }

  /** The live (not terminating) pods of a Deployment. */
  async pods(deploy: string): Promise<PodInfo[]> {
    const r = await weft(['status', '--state-dir', this.stateDir, '-o', 'json']);
    const { pods } = JSON.parse(r.stdout) as {
      pods: {
        name: string;
        namespace: string;
        owner: string;
        status: { terminating?: boolean; ip?: string };
      }[];
    };
    return pods
      .filter((p) => p.owner === deploy && !p.status.terminating)
      .map((p) => ({ name: p.name, namespace: p.namespace, ip: p.status.ip ?? '' }));
  }

  /** The proxy's access-log lines of a pod that carry `marker` (a User-Agent the test chose). */
  async accessLog(pod: { name: string; namespace: string }, marker: string): Promise<string[]> {
    const r = await weft([
      'logs',
      pod.name,
      '-n',
      pod.namespace,
      '-c',
      'proxy',
      '--state-dir',
      this.stateDir,
    ]);
    if (r.code !== 0) throw new Error(`weft logs ${pod.name} failed (${r.code}): ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l.includes(`"${marker}"`));
  }

  /** `weft exec deploy/<deploy> -n <namespace> -- argv…`: a command run in a pod of `deploy` (its traffic goes through the pod's sidecar). */
  execIn(namespace: string, deploy: string, argv: readonly string[]): Promise<Run> {
    return weft(['exec', `deploy/${deploy}`, '-n', namespace, '--state-dir', this.stateDir, '--', ...argv]);
  }

  /** {@link execIn}, failing when the command exits non-zero; its stdout. */
  async run(namespace: string, deploy: string, argv: readonly string[]): Promise<string> {
    const r = await this.execIn(namespace, deploy, argv);
    if (r.code !== 0) throw new Error(`${argv[0]} in deploy/${deploy} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** Runs a node ES-module script in a pod of `deploy`, failing when it exits non-zero; its stdout. */
  scriptIn(namespace: string, deploy: string, script: string): Promise<string> {
    return this.run(namespace, deploy, [process.execPath, '--input-type=module', '-e', script]);
  }

  /** Runs a node ES-module script in a pod of `deploy` (its traffic goes through the pod's sidecar); parses its JSON output. */
  async nodeIn<T>(namespace: string, deploy: string, script: string): Promise<T> {
    return JSON.parse(await this.scriptIn(namespace, deploy, script)) as T;
  }

  /** `n` TCP connections from a pod of `deploy` to tcp-echo, one line each; what came back on each before it closed. */
  tcpEcho(namespace: string, deploy: string, n: number): Promise<string[]> {
    return this.nodeIn<string[]>(
      namespace,
      deploy,
      `import net from 'node:net';
const out = [];
for (let i = 0; i < ${n}; i++)
  out.push(await new Promise((resolve) => {
    const s = net.connect(9000, 'tcp-echo.weather');
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (c) => { got += c; if (got.includes('\\n')) s.end(); });
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
    s.setTimeout(5000, () => s.destroy());
    s.write('hello ' + i + '\\n');
  }));
console.log(JSON.stringify(out));`,
    );
  }

  async down(): Promise<Run> {
    const run = await weft(['down', '--state-dir', this.stateDir]);
    this.claim.release();
    return run;
  }
}

export interface PodInfo {
  name: string;
  namespace: string;
  ip: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `f` every `every` ms until `ok` holds of its value or `ms` pass; returns the last value.
 * With `what`, fails instead when time runs out and `ok` still does not hold.
 */
export async function eventually<T>(
  f: () => Promise<T>,
  ok: (v: T) => boolean,
  { ms = 5000, every = 250, what }: { ms?: number; every?: number; what?: string } = {},
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) {
      if (what !== undefined) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
      return v;
    }
    await sleep(every);
  }
}

/** A VirtualService `<host>-route` in namespace weather with the given http routes (YAML list). */
export function virtualService(host: string, http: string): string {
  return `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: ${host}-route, namespace: weather }
spec:
  hosts: [${host}]
  http:
${http}`;
}
