// Running `ip`, `iptables-*` and pod processes: a checked command runner and a spawner that
// enters a pod's network namespace as a chosen uid/gid with chosen capabilities.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`${command.join(' ')} failed (exit ${code ?? 'signal'}): ${stderr.trim() || '(no output)'}`);
  }
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion; resolves with stdout, rejects with CommandError. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = opts.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(cmd, args, { stdio: [stdin, 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => reject(new CommandError([cmd, ...args], null, e.message)));
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new CommandError([cmd, ...args], code, stderr)),
    );
    // A command that exits without reading its input fails through 'close', not EPIPE.
    child.stdin?.on('error', () => undefined).end(opts.input);
  });
}

/** Runs a command inside a named network namespace (with its /etc/netns/<ns> files bound). */
export function runInNetns(
  netns: string,
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<string> {
  return run('ip', ['netns', 'exec', netns, cmd, ...args], opts);
}

/** Capabilities a pod process may be given; everything else stays as setpriv leaves it. */
export type PodCapability = 'net_admin' | 'net_raw' | 'net_bind_service';

export interface PodSpawnOptions {
  uid?: number;
  gid?: number;
  /** Ambient capabilities, e.g. net_admin for a TPROXY listener (IP_TRANSPARENT). */
  capabilities?: PodCapability[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio?: StdioOptions;
}

/**
 * Capabilities removed from the bounding set unless asked for: without them a process cannot
 * re-route its namespace out of the mesh, sniff, or enter another namespace.
 */
const DROPPED_UNLESS_ASKED = ['net_admin', 'net_raw', 'sys_admin'] as const;

/** Spawns `cmd` inside the pod namespace as uid/gid (default 0/0) via `ip netns exec` + `setpriv`. */
export function spawnInNetns(
  netns: string,
  cmd: string,
  args: readonly string[],
  opts: PodSpawnOptions = {},
): ChildProcess {
  const caps = opts.capabilities ?? [];
  const priv = [`--reuid=${opts.uid ?? 0}`, `--regid=${opts.gid ?? opts.uid ?? 0}`, '--clear-groups'];
  const dropped = DROPPED_UNLESS_ASKED.filter((c) => !caps.includes(c as PodCapability));
  if (dropped.length > 0) priv.push(`--bounding-set=${dropped.map((c) => `-${c}`).join(',')}`);
  if (caps.length > 0) {
    const list = caps.map((c) => `+${c}`).join(',');
    priv.push(`--inh-caps=${list}`, `--ambient-caps=${list}`);
  }
  return spawn('ip', ['netns', 'exec', netns, 'setpriv', ...priv, '--', cmd, ...args], {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: opts.stdio ?? 'pipe',
  });
}
