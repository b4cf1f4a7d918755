// Envoy's jittered exponential back-off between retries (JitteredExponentialBackOffStrategy):
// the n-th wait is uniform in [0, base·2ⁿ), never more than max (default 10 × base).
export class JitteredBackOff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number,
  ) {}

  nextMs(): number {
    const ceiling = Math.min(this.baseMs * 2 ** this.attempt, this.maxMs);
    this.attempt++;
    return Math.min(Math.floor(this.random() * ceiling), this.maxMs);
  }
}
