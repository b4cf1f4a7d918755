// Debounces push requests like Pilot's handleUpdates (PILOT_DEBOUNCE_AFTER / PILOT_DEBOUNCE_MAX):
// push once events have been quiet for `after`, or once `max` has passed since the first event
// of the burst. Requests merge while waiting, and a push never starts while another is running.
import type { PushRequest } from '../contracts.js';
import type { Clock } from './clock.js';

export interface DebounceOptions {
  /** Quiet time before a push (default 100 ms). */
  after: number;
  /** Longest delay for a burst that never goes quiet (default 10 s). */
  max: number;
  clock: Clock;
  /** Runs the merged push; `waited` is ms from the burst's first event until now. */
  push(req: PushRequest, waited: number): Promise<void>;
}

export const DEFAULT_DEBOUNCE = { after: 100, max: 10_000 } as const;

export function mergePushRequests(a: PushRequest, b: PushRequest): PushRequest {
  return {
    full: a.full || b.full,
    configsUpdated: new Set([...a.configsUpdated, ...b.configsUpdated]),
    edsUpdates: new Set([...a.edsUpdates, ...b.edsUpdates]),
    reasons: [...a.reasons, ...b.reasons],
    start: Math.min(a.start, b.start),
  };
}

export class Debouncer {
  private pending: PushRequest | undefined;
  private firstAt = 0;
  private lastAt = 0;
  private timer: unknown;
  private pushing = false;

  constructor(private readonly opts: DebounceOptions) {}

  enqueue(req: PushRequest): void {
    const now = this.opts.clock.now();
    this.lastAt = now;
    if (!this.pending) {
      this.pending = req;
      this.firstAt = now;
      this.arm(this.opts.after);
    } else {
      this.pending = mergePushRequests(this.pending, req);
    }
  }

  /** Drops anything waiting (on shutdown). */
  stop(): void {
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private arm(ms: number): void {
    this.timer = this.opts.clock.setTimeout(() => this.fire(), ms);
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.pending) return;
    const now = this.opts.clock.now();
    const quiet = now - this.lastAt;
    const waited = now - this.firstAt;
    if (this.pushing || (waited < this.opts.max && quiet < this.opts.after)) {
      // Still busy or still noisy: look again when the quiet period could have elapsed.
      this.arm(this.pushing ? this.opts.after : this.opts.after - quiet);
      return;
    }
    const req = this.pending;
    this.pending = undefined;
    this.pushing = true;
    void this.opts.push(req, waited).finally(() => {
      this.pushing = false;
    });
  }
}

/** Parses a Go duration ("100ms", "10s", "1m30s") as PILOT_DEBOUNCE_* use; undefined if invalid. */
export function parseGoDuration(s: string): number | undefined {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (units[m[2] as string] as number);
    end = re.lastIndex;
  }
  return s.length > 0 && end === s.length ? total : undefined;
}
