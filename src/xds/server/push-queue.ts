// Pilot's push queue: a connection is queued at most once; a push that arrives while it waits
// or runs is merged into the next one; at most `limit` connections are pushed at a time
// (PILOT_PUSH_THROTTLE), which bounds memory when thousands of proxies need the same push.
import type { PushRequest } from '../contracts.js';
import { mergePushRequests } from './debounce.js';

export class PushQueue<C> {
  private readonly pending = new Map<C, PushRequest>();
  private readonly running = new Set<C>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly run: (conn: C, req: PushRequest) => Promise<void>,
  ) {}

  enqueue(conn: C, req: PushRequest): void {
    const p = this.pending.get(conn);
    this.pending.set(conn, p ? mergePushRequests(p, req) : req);
    this.pump();
  }

  remove(conn: C): void {
    this.pending.delete(conn);
  }

  get size(): number {
    return this.pending.size + this.running.size;
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    for (const [conn, req] of this.pending) {
      if (this.running.size >= this.limit) return;
      if (this.running.has(conn)) continue; // runs again, merged, once the current push ends
      this.pending.delete(conn);
      this.running.add(conn);
      void this.run(conn, req).finally(() => {
        this.running.delete(conn);
        this.pump();
        if (this.size === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }
}
