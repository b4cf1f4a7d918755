// One container of a pod as the kubelet runs it: a process inside the pod's network namespace,
// its output appended to a log file, restarted after a crash with back-off (1 s doubling to
// 60 s, reset after 60 s of running; Kubernetes' CrashLoopBackOff), per the pod's restartPolicy.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { PodCapability } from '../net/exec.js';
import { runInPod } from '../net/pod.js';

export const BACKOFF_START_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
const STABLE_MS = 60_000;

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface ContainerProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  capabilities?: PodCapability[];
  /** Written to the process's stdin, then closed (the agent's config). */
  input?: string;
  logFile: string;
}

export interface ContainerState {
  name: string;
  state: 'Waiting' | 'Running' | 'Terminated';
  /** ContainerCreating, CrashLoopBackOff, Error, Completed… */
  reason?: string;
  restartCount: number;
  lastExit?: { code: number | null; signal: string | null; at: number };
  startedAt?: number;
  pid?: number;
}

export class ContainerRunner {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  readonly status: ContainerState;

  constructor(
    private readonly netns: string,
    private readonly spec: ContainerProcessSpec,
    private readonly restartPolicy: RestartPolicy,
    /** Called on every state change (started, exited, back-off). */
    private readonly changed: () => void,
  ) {
    this.status = { name: spec.name, state: 'Waiting', reason: 'ContainerCreating', restartCount: 0 };
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    if (this.stopping) return;
    const fd = openSync(this.spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = runInPod({ netns: this.netns }, this.spec.command, this.spec.args, {
        uid: this.spec.uid,
        capabilities: this.spec.capabilities,
        env: this.spec.env,
        cwd: this.spec.cwd,
        stdio: [this.spec.input === undefined ? 'ignore' : 'pipe', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    child.stdin?.on('error', () => undefined).end(this.spec.input);
    this.child = child;
    Object.assign(this.status, {
      state: 'Running',
      reason: undefined,
      startedAt: Date.now(),
      pid: child.pid,
    });
    this.exited = new Promise((resolve) => {
      child.once('error', (e) => this.note(`failed to start: ${e.message}`));
      child.once('exit', (code, signal) => {
        this.child = undefined;
        resolve();
        this.onExit(code, signal);
      });
    });
    this.changed();
  }

  /** Appends a line to the container's log (what the kubelet would show as an event). */
  note(msg: string): void {
    const fd = openSync(this.spec.logFile, 'a');
    writeSync(fd, `${new Date().toISOString()} weft: ${msg}\n`);
    closeSync(fd);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const failed = code !== 0;
    this.status.lastExit = { code, signal, at: Date.now() };
    this.status.pid = undefined;
    if (this.stopping) {
      Object.assign(this.status, { state: 'Terminated', reason: failed ? 'Error' : 'Completed' });
      this.changed();
      return;
    }
    if (this.restartPolicy === 'Never' || (this.restartPolicy === 'OnFailure' && !failed)) {
      Object.assign(this.status, { state: 'Terminated', reason: failed ? 'Error' : 'Completed' });
      this.changed();
      return;
    }
    if (Date.now() - (this.status.startedAt ?? 0) > STABLE_MS) this.failures = 0;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.failures++);
    this.note(`container ${this.spec.name} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
    Object.assign(this.status, { state: 'Waiting', reason: 'CrashLoopBackOff' });
    this.changed();
    this.timer = setTimeout(() => {
      this.status.restartCount++;
      this.start();
    }, delay);
  }

  /** Kills the running process so the restart policy applies (a failed liveness probe). */
  restart(reason: string): void {
    this.note(`${reason}; killing container ${this.spec.name}`);
    this.child?.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after graceMs; no restart afterwards. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (!child) {
      if (this.status.state !== 'Terminated')
        Object.assign(this.status, { state: 'Terminated', reason: 'Completed' });
      return;
    }
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(kill);
  }
}
