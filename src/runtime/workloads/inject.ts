// What Istio's sidecar injector decides and rewrites for a pod: whether it gets a sidecar
// (namespace label `istio-injection`, pod `sidecar.istio.io/inject` label or annotation), the
// `sidecar.istio.io/status` annotation, and application probes rewritten to go through the
// agent's status port (`/app-health/<container>/readyz|livez` on 15020, ISTIO_KUBE_APP_PROBERS).
import type { Container } from '../../api/kube/pod.js';
import type { AppProbe } from '../../agent/config.js';

export const STATUS_PORT = 15020;
export const READINESS_PORT = 15021;
/** The sidecar's Envoy admin API, on the pod's loopback only. */
export const ADMIN_PORT = 15000;
export const INJECT_KEY = 'sidecar.istio.io/inject';
export const SIDECAR_STATUS = 'sidecar.istio.io/status';

export function injectionWanted(
  namespaceLabels: Readonly<Record<string, string>>,
  pod: { labels?: Record<string, string>; annotations?: Record<string, string> },
): boolean {
  if (namespaceLabels['istio-injection'] === 'disabled') return false;
  const own = pod.labels?.[INJECT_KEY] ?? pod.annotations?.[INJECT_KEY];
  if (own !== undefined) return own === 'true';
  return namespaceLabels['istio-injection'] === 'enabled';
}

/** What the injector records on an injected pod (the registry marks its endpoints tlsMode=istio). */
export function sidecarStatus(): string {
  return JSON.stringify({ initContainers: ['istio-init'], containers: ['istio-proxy'], volumes: [] });
}

/** A container port given by number or by name (`port: http`). */
export function resolvePort(c: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

type Probe = NonNullable<Container['readinessProbe']>;

export interface RewrittenProbes {
  containers: Container[];
  appProbers: Record<string, AppProbe>;
}

/** httpGet and tcpSocket probes move behind the agent; exec probes stay as they are. */
export function rewriteProbes(containers: readonly Container[]): RewrittenProbes {
  const appProbers: Record<string, AppProbe> = {};
  const rewrite = (c: Container, probe: Probe | undefined, kind: 'readyz' | 'livez'): Probe | undefined => {
    if (!probe || (!probe.httpGet && !probe.tcpSocket)) return probe;
    const path = `/app-health/${c.name}/${kind}`;
    const timeout = probe.timeoutSeconds !== undefined ? { timeoutSeconds: probe.timeoutSeconds } : {};
    if (probe.httpGet) {
      const port = resolvePort(c, probe.httpGet.port);
      if (port === undefined) return probe;
      appProbers[path] = {
        httpGet: {
          port,
          ...(probe.httpGet.path ? { path: probe.httpGet.path } : {}),
          ...(probe.httpGet.scheme ? { scheme: probe.httpGet.scheme } : {}),
          ...(probe.httpGet.host ? { host: probe.httpGet.host } : {}),
          ...(probe.httpGet.httpHeaders
            ? { httpHeaders: probe.httpGet.httpHeaders as { name: string; value: string }[] }
            : {}),
        },
        ...timeout,
      };
    } else {
      const port = resolvePort(c, probe.tcpSocket!.port);
      if (port === undefined) return probe;
      appProbers[path] = {
        tcpSocket: { port, ...(probe.tcpSocket!.host ? { host: probe.tcpSocket!.host } : {}) },
        ...timeout,
      };
    }
    const { httpGet: _h, tcpSocket: _t, ...timing } = probe;
    return { ...timing, httpGet: { path, port: STATUS_PORT } };
  };
  const out = containers.map((c) => ({
    ...c,
    readinessProbe: rewrite(c, c.readinessProbe, 'readyz'),
    livenessProbe: rewrite(c, c.livenessProbe, 'livez'),
  }));
  return { containers: out, appProbers };
}
