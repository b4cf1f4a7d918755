// Worker handles: the in-process worker (--concurrency 1) and child worker processes (node:cluster,
// SCHED_NONE so every child accepts on the shared listening sockets itself). The main process
// sends each worker the same immutable config updates and asks them for stats on demand.
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { ClusterView } from './admin/views.js';
import type { Msg } from './config/proto.js';
import type { StatsSnapshot } from './stats/store.js';
import { Worker, type ConfigUpdate } from './worker.js';

export type ListenerAddress = { name: string; address: string; port: number };

export interface WorkerHandle {
  apply(u: ConfigUpdate): Promise<void>;
  stats(): Promise<StatsSnapshot>;
  clusters(): Promise<ClusterView[]>;
  listeners(): Promise<ListenerAddress[]>;
  stop(): Promise<void>;
}

export class LocalWorker implements WorkerHandle {
  constructor(readonly worker: Worker) {}
  apply(u: ConfigUpdate): Promise<void> {
    return this.worker.apply(u);
  }
  async stats(): Promise<StatsSnapshot> {
    return this.worker.store.snapshot();
  }
  async clusters(): Promise<ClusterView[]> {
    return this.worker.clusterViews();
  }
  async listeners(): Promise<ListenerAddress[]> {
    return this.worker.listenerAddresses();
  }
  stop(): Promise<void> {
    return this.worker.stop();
  }
}

type Op = 'apply' | 'stats' | 'clusters' | 'listeners' | 'stop';
interface Request {
  id: number;
  op: Op;
  update?: ConfigUpdate;
}
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** A child worker process, talked to over the cluster IPC channel. */
export class ChildWorker implements WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ClusterWorker) {
    child.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('worker exited'));
      this.pending.clear();
    });
  }

  static async spawn(drainMs: number, node: Msg): Promise<ChildWorker> {
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({
      exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)).replace(
        /\.js$/,
        import.meta.url.endsWith('.ts') ? '.ts' : '.js',
      ),
      execArgv: process.execArgv,
      args: [String(drainMs), JSON.stringify(node)],
    });
    const child = cluster.fork();
    // 'online' fires before the worker's module has loaded; wait for its own ready message.
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    return new ChildWorker(child);
  }

  private call<T>(op: Op, update?: ConfigUpdate): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, update } satisfies Request);
    });
  }

  apply(u: ConfigUpdate): Promise<void> {
    return this.call('apply', u);
  }
  stats(): Promise<StatsSnapshot> {
    return this.call('stats');
  }
  clusters(): Promise<ClusterView[]> {
    return this.call('clusters');
  }
  listeners(): Promise<ListenerAddress[]> {
    return this.call('listeners');
  }
  async stop(): Promise<void> {
    await this.call('stop').catch(() => undefined);
    this.child.kill();
  }
}

/** The child side: run a Worker and answer the main process. */
export function serveWorker(drainMs: number, node: Msg): void {
  const w = new Worker(drainMs, Math.random, node);
  process.on('message', (m: Request) => {
    const reply = (r: Omit<Reply, 'id'>): void => void process.send?.({ id: m.id, ...r });
    const run = async (): Promise<unknown> => {
      switch (m.op) {
        case 'apply':
          return w.apply(m.update!);
        case 'stats':
          return w.store.snapshot();
        case 'clusters':
          return w.clusterViews();
        case 'listeners':
          return w.listenerAddresses();
        case 'stop':
          await w.stop();
          setImmediate(() => process.exit(0));
          return undefined;
      }
    };
    run().then(
      (result) => reply({ result }),
      (e: Error) => reply({ error: e.message }),
    );
  });
  process.send?.({ id: 0, result: 'ready' });
}
