// The kubelet's probe workers for one container: readiness (gates the pod's Ready condition and
// so its endpoints) and liveness (kills the container after failureThreshold failures). httpGet
// and tcpSocket probes dial the pod's IP from the host; exec probes run inside the pod.
import type { Container } from '../../api/kube/pod.js';
import { probeHttp, probeTcp, type ProbeResult } from '../../agent/probe.js';
import type { PodNetwork } from '../net/pod.js';
import { resolvePort } from './inject.js';

type Probe = NonNullable<Container['readinessProbe']>;

export async function runProbe(pod: PodNetwork, c: Container, p: Probe): Promise<ProbeResult> {
  const timeoutMs = (p.timeoutSeconds || 1) * 1000;
  if (p.httpGet) {
    const port = resolvePort(c, p.httpGet.port);
    if (port === undefined) return { ok: false, reason: `no port named ${String(p.httpGet.port)}` };
    return probeHttp(
      {
        host: p.httpGet.host || pod.ip,
        port,
        path: p.httpGet.path,
        scheme: p.httpGet.scheme,
        headers: p.httpGet.httpHeaders as { name: string; value: string }[] | undefined,
      },
      timeoutMs,
    );
  }
  if (p.tcpSocket) {
    const port = resolvePort(c, p.tcpSocket.port);
    if (port === undefined) return { ok: false, reason: `no port named ${String(p.tcpSocket.port)}` };
    return probeTcp(p.tcpSocket.host || pod.ip, port, timeoutMs);
  }
  if (p.exec?.command?.length) {
    const [cmd, ...args] = p.exec.command;
    const exec = pod.exec(cmd!, args).then(
      (): ProbeResult => ({ ok: true }),
      (e: Error): ProbeResult => ({ ok: false, reason: e.message }),
    );
    const timeout = new Promise<ProbeResult>((r) =>
      setTimeout(
        () => r({ ok: false, reason: `command timed out after ${timeoutMs} ms` }),
        timeoutMs,
      ).unref(),
    );
    return Promise.race([exec, timeout]);
  }
  return { ok: false, reason: 'probe has no handler Weft supports (grpc)' };
}

export interface ProbeWorkerOptions {
  probe: Probe;
  run: () => Promise<ProbeResult>;
  onResult: (ok: boolean, reason?: string) => void;
  /** Until the first success, probe this often (ms) instead of periodSeconds: pods become ready sooner. */
  startupPeriodMs?: number;
  /** Liveness starts as passing; readiness as failing (as in the kubelet). */
  initiallyOk?: boolean;
}

/** Runs a probe on its period; reports a flip after successThreshold/failureThreshold in a row. */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ok: boolean;
  private streak = 0;
  private everSucceeded: boolean;

  constructor(private readonly o: ProbeWorkerOptions) {
    this.ok = this.everSucceeded = o.initiallyOk ?? false;
  }

  start(): void {
    this.schedule((this.o.probe.initialDelaySeconds ?? 0) * 1000);
  }

  /** Starts over after the container restarted: initial state, initial delay. */
  reset(): void {
    clearTimeout(this.timer);
    this.ok = this.everSucceeded = this.o.initiallyOk ?? false;
    this.streak = 0;
    this.start();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    const r = await this.o.run();
    if (this.stopped) return;
    const p = this.o.probe;
    if (r.ok === this.ok) this.streak = 0;
    else {
      this.streak++;
      const needed = r.ok ? (p.successThreshold ?? 1) : (p.failureThreshold ?? 3);
      if (this.streak >= needed || (r.ok && !this.everSucceeded)) {
        this.ok = r.ok;
        this.streak = 0;
        this.everSucceeded ||= r.ok;
        this.o.onResult(r.ok, r.ok ? undefined : r.reason);
      }
    }
    const period = (p.periodSeconds ?? 10) * 1000;
    this.schedule(this.everSucceeded ? period : Math.min(period, this.o.startupPeriodMs ?? period));
  }
}
