// The local rate limit token bucket (Envoy TokenBucket as the local rate limiter fills it):
// starts full; every fill_interval adds tokens_per_fill, up to max_tokens. Refilled lazily on use.
export class TokenBucket {
  private tokens: number;
  private lastFill: number;

  constructor(
    private readonly maxTokens: number,
    private readonly tokensPerFill: number,
    private readonly fillIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = maxTokens;
    this.lastFill = now();
  }

  /** Takes one token; false when none is left. */
  consume(): boolean {
    const now = this.now();
    const fills = Math.floor((now - this.lastFill) / this.fillIntervalMs);
    if (fills > 0) {
      this.tokens = Math.min(this.maxTokens, this.tokens + fills * this.tokensPerFill);
      this.lastFill += fills * this.fillIntervalMs;
    }
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
