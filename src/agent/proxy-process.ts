// Supervision of the proxy process (pilot-agent's reconcile loop, one epoch at a time): each
// start writes envoy-rev<epoch>.json; an abnormal exit restarts after 200 ms × 2^n, up to 10
// times in a row, then the agent gives up (and the kubelet restarts the container). A clean exit
// is not restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeCommand } from './entry.js';

export const RESTART_BASE_MS = 200;
export const RESTART_BUDGET = 10;
/** A proxy that stayed up this long has proved itself; its next crash starts a fresh budget. */
const STABLE_MS = 60_000;

export interface ProxyProcessOptions {
  /** The `weft proxy` command without the bootstrap flag. */
  command: NodeCommand;
  bootstrap: object;
  workDir: string;
  log: (msg: string) => void;
  /** Called once the budget is spent, with the last failure. */
  onGiveUp: (reason: string) => void;
  /** Called when the proxy exits cleanly on its own (e.g. /quitquitquit). */
  onExit: () => void;
}

export class ProxyProcess {
  private child: ChildProcess | undefined;
  private epoch = -1;
  private failures = 0;
  private startedAt = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ProxyProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get restarts(): number {
    return Math.max(0, this.epoch);
  }

  start(): void {
    if (this.stopping) return;
    this.epoch++;
    const file = join(this.opts.workDir, `envoy-rev${this.epoch}.json`);
    writeFileSync(file, JSON.stringify(this.opts.bootstrap, null, 2));
    if (this.epoch > 0) rmSync(join(this.opts.workDir, `envoy-rev${this.epoch - 1}.json`), { force: true });
    const { command, args } = this.opts.command;
    const child = spawn(command, [...args, '--bootstrap', file], { stdio: ['ignore', 'inherit', 'inherit'] });
    this.child = child;
    this.startedAt = Date.now();
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.child = undefined;
        resolve();
        this.onExit(code, signal);
      }),
    );
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    if (code === 0) {
      this.opts.log('proxy exited cleanly');
      this.opts.onExit();
      return;
    }
    const why = signal ? `killed by ${signal}` : `exit code ${code}`;
    if (Date.now() - this.startedAt > STABLE_MS) this.failures = 0;
    if (this.failures >= RESTART_BUDGET) {
      this.opts.onGiveUp(`proxy failed ${RESTART_BUDGET + 1} times in a row, last: ${why}`);
      return;
    }
    const delay = RESTART_BASE_MS * 2 ** this.failures++;
    this.opts.log(`proxy epoch ${this.epoch} ${why}; restarting in ${delay} ms`);
    this.timer = setTimeout(() => this.start(), delay);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(kill);
  }
}
