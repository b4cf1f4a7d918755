// The agent's workload certificate: first issued with the pod's bootstrap token, renewed with the
// current certificate (the token again once that has expired) when a grace period is left (Istio's SECRET_GRACE_PERIOD_RATIO 0.5 of the
// lifetime, give or take SECRET_GRACE_PERIOD_RATIO_JITTER), with back-off on failure. Listeners
// (the SDS server) hear every new certificate.
import { EventEmitter } from 'node:events';
import { requestCertificate, type CaClientOptions, type WorkloadCertificate } from '../ca/client.js';

export interface RotatorOptions extends Omit<CaClientOptions, 'current'> {
  /** Fraction of the lifetime left when renewing (default 0.5). */
  graceRatio?: number;
  /** The ratio moves up or down by a random amount up to this (default 0: none). */
  graceJitter?: number;
  /** First retry delay after a failure (doubles up to 30 s). */
  retryMs?: number;
  log?: (msg: string) => void;
}

export class CertificateRotator extends EventEmitter<{ rotated: [WorkloadCertificate]; failed: [Error] }> {
  private cert?: WorkloadCertificate;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;

  constructor(private opts: RotatorOptions) {
    super();
  }

  /** New roots to verify the CA with (the mesh trust bundle changed during a root rotation). */
  setCaRoots(pem: string): void {
    this.opts = { ...this.opts, caRootsPem: pem };
  }

  get current(): WorkloadCertificate | undefined {
    return this.cert;
  }

  /** Fetches the first certificate (rejects if the CA refuses) and schedules renewals. */
  async start(): Promise<WorkloadCertificate> {
    const cert = await requestCertificate({ ...this.opts });
    this.install(cert);
    return cert;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private install(cert: WorkloadCertificate): void {
    this.cert = cert;
    this.failures = 0;
    this.emit('rotated', cert);
    this.schedule(renewalDelay(cert, this.opts.graceRatio ?? 0.5, this.opts.graceJitter ?? 0));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renew(), ms);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      // An expired certificate no longer authenticates (the process stalled past expiry, the CA was
      // away too long); the pod's bootstrap token still does — Istio's agent always uses its token.
      const valid = this.cert && this.cert.notAfter.getTime() > Date.now() ? this.cert : undefined;
      const cert = await requestCertificate({ ...this.opts, current: valid });
      if (!this.stopped) this.install(cert);
    } catch (e) {
      if (this.stopped) return;
      this.failures++;
      const delay = Math.min(30_000, (this.opts.retryMs ?? 500) * 2 ** (this.failures - 1));
      this.opts.log?.(
        `certificate renewal failed (attempt ${this.failures}, retry in ${delay} ms): ${(e as Error).message}`,
      );
      this.emit('failed', e as Error);
      this.schedule(delay);
    }
  }
}

/**
 * Milliseconds until renewal: when `ratio` (± up to `jitter`, clamped to 0–1) of the lifetime is
 * left. The lifetime counts from now, not notBefore, as Istio's does from when the secret was
 * fetched: the CA backdates certificates for clock skew, and a short lifetime counted from the
 * backdated start would renew at once, in a loop.
 */
export function renewalDelay(
  cert: Pick<WorkloadCertificate, 'notBefore' | 'notAfter'>,
  ratio: number,
  jitter: number,
  now = Date.now(),
): number {
  const grace = Math.min(1, Math.max(0, ratio + Math.random() * jitter * (Math.random() < 0.5 ? -1 : 1)));
  const start = Math.max(cert.notBefore.getTime(), now);
  const expiry = cert.notAfter.getTime();
  return Math.max(0, expiry - grace * (expiry - start) - now);
}
