// Route timeouts across attempts (Envoy router timeouts): the route timeout bounds the whole
// request including retries and back-off; a retry policy's per_try_timeout bounds each attempt
// within what is left.
export class RequestDeadline {
  private readonly end: number | undefined;

  /** globalMs 0 disables the route timeout */
  constructor(
    globalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.end = globalMs > 0 ? now() + globalMs : undefined;
  }

  /** ms left of the route timeout (undefined: none) */
  remainingMs(): number | undefined {
    return this.end === undefined ? undefined : Math.max(0, this.end - this.now());
  }

  /** The next attempt's timeout (0: none) and whether it is the per-try one. */
  attempt(perTryMs: number): { ms: number; perTry: boolean } {
    const left = this.remainingMs();
    if (perTryMs > 0 && (left === undefined || perTryMs < left)) return { ms: perTryMs, perTry: true };
    return { ms: left ?? 0, perTry: false };
  }
}
