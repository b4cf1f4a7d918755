// Process helpers for benchmarks: find binaries, run children bounded in time, and read CPU and
// RSS of a process tree from /proc (Linux only).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** First executable named `name` on PATH, in /usr/sbin, /sbin, $GOPATH/bin or ~/go/bin. */
export function findBin(name: string): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(':'),
    '/usr/sbin',
    '/sbin',
    '/usr/local/sbin',
    ...(process.env.GOPATH ? [join(process.env.GOPATH, 'bin')] : []),
    join(homedir(), 'go', 'bin'),
  ];
  for (const d of dirs) {
    if (!d) continue;
    try {
      accessSync(join(d, name), constants.X_OK);
      return join(d, name);
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export const CLK_TCK = 100; // USER_HZ on Linux x86-64 and arm64

/** Direct children of every pid on the machine (one /proc scan). */
function childrenMap(): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      const list = m.get(ppid) ?? [];
      list.push(Number(e));
      m.set(ppid, list);
    } catch {
      /* exited */
    }
  }
  return m;
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const kids = childrenMap();
  const out: number[] = [];
  const walk = (p: number): void => {
    out.push(p);
    for (const c of kids.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** utime+stime in clock ticks, summed over the given pids (exited ones count 0). */
export function cpuTicks(pids: number[]): number {
  const [u, s] = cpuSplit(pids);
  return u + s;
}

/** [utime, stime] in clock ticks, summed over the given pids. */
export function cpuSplit(pids: number[]): [number, number] {
  let u = 0;
  let s = 0;
  for (const p of pids) {
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      // fields after "(comm)": state=0 … utime=11 stime=12 (stat fields 14 and 15)
      u += Number(f[11]);
      s += Number(f[12]);
    } catch {
      /* exited */
    }
  }
  return [u, s];
}

/** VmRSS in kB, summed over the given pids (shared pages count once per process). */
export function rssKb(pids: number[]): number {
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      /* exited */
    }
  }
  return kb;
}

/** Samples the max RSS of a tree every `everyMs` until stop() is called. */
export function rssSampler(pids: () => number[], everyMs = 200): { stop(): number } {
  let max = rssKb(pids());
  const t = setInterval(() => (max = Math.max(max, rssKb(pids()))), everyMs);
  return {
    stop() {
      clearInterval(t);
      max = Math.max(max, rssKb(pids()));
      return max;
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to completion, killing it after `timeoutMs`. */
export function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
  opts: SpawnOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    c.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      c.kill('SIGKILL');
    }, timeoutMs);
    c.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Stops a long-running child and everything under it: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopTree(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const pids = processTree(child.pid);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Resolves when an HTTP GET on 127.0.0.1:port answers with any status, or rejects after timeoutMs. */
export async function waitHttp(port: number, path = '/', timeoutMs = 20000, host?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let buf = '';
      s.setTimeout(1000, () => s.destroy());
      s.on('connect', () =>
        s.write(`GET ${path} HTTP/1.1\r\nhost: ${host ?? `127.0.0.1:${port}`}\r\nconnection: close\r\n\r\n`),
      );
      s.on('data', (d: Buffer) => (buf += d.toString()));
      s.on('close', () => resolve(/^HTTP\/1\.1 200/.test(buf)));
      s.on('error', () => undefined);
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`127.0.0.1:${port}${path} did not answer 200 in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
