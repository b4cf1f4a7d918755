// Pilot's xDS metrics under Istio's names (pilot/pkg/xds/monitoring.go), on a per-server registry
// so several control planes (tests, bench) can live in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Diagnostic } from '../config/diagnostics.js';
import { TYPE_SHORT, type TypeUrl } from './type-urls.js';

/** Istio's lower-case short type label ("cds", "eds", …); unknown types keep their URL. */
export const typeLabel = (typeUrl: string): string =>
  TYPE_SHORT[typeUrl as TypeUrl]?.toLowerCase() ?? typeUrl;

export class XdsMetrics {
  readonly registry = new Registry();
  readonly pushes = new Counter({
    name: 'pilot_xds_pushes',
    help: 'xDS responses sent, by type.',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly connected = new Gauge({
    name: 'pilot_xds',
    help: 'Proxies connected over xDS.',
    registers: [this.registry],
  });
  readonly convergence = new Histogram({
    name: 'pilot_proxy_convergence_time',
    help: 'Seconds from a config change until a proxy was sent everything it needs.',
    buckets: [0.1, 0.5, 1, 3, 5, 10, 20, 30],
    registers: [this.registry],
  });
  readonly rejects = new Counter({
    name: 'pilot_total_xds_rejects',
    help: 'xDS responses a proxy rejected (NACK), by type.',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly internalErrors = new Counter({
    name: 'pilot_total_xds_internal_errors',
    help: 'Config that could not be generated for a proxy (it keeps its last good config).',
    registers: [this.registry],
  });
  readonly pushContextErrors = new Counter({
    name: 'pilot_xds_push_context_errors',
    help: 'Push contexts that failed to build (the previous one stays).',
    registers: [this.registry],
  });
  readonly debounce = new Histogram({
    name: 'pilot_debounce_time',
    help: 'Seconds from the first event of a debounced burst until its merged push starts.',
    buckets: [0.01, 0.1, 1, 3, 5, 10, 20, 30],
    registers: [this.registry],
  });
  readonly pushTime = new Histogram({
    name: 'pilot_xds_push_time',
    help: 'Seconds to generate and send one type to one proxy.',
    labelNames: ['type'],
    buckets: [0.01, 0.1, 1, 3, 5, 10, 20, 30],
    registers: [this.registry],
  });
  readonly sdsCertificateErrors = new Counter({
    name: 'pilot_sds_certificate_errors_total',
    help: 'Gateway credential Secrets found malformed (each bad version once); see /debug/push_status.',
    registers: [this.registry],
  });
  /** Diagnostics already counted: the credential cache keeps one object per bad Secret version. */
  private readonly countedCredentialErrors = new WeakSet<Diagnostic>();

  constructor(opts: { processMetrics?: boolean } = {}) {
    // Series per type exist from the start, so dashboards see 0 rather than nothing.
    for (const type of ['cds', 'eds', 'lds', 'rds']) {
      this.pushes.inc({ type }, 0);
      this.rejects.inc({ type }, 0);
    }
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts the credential problems of a new push context that earlier ones did not have. */
  recordCredentialDiagnostics(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) {
      if (this.countedCredentialErrors.has(d)) continue;
      this.countedCredentialErrors.add(d);
      this.sdsCertificateErrors.inc();
    }
  }
}
