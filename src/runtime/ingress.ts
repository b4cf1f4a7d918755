// The mesh's gateways as Istio installs them (istio-system/istio-ingressgateway, and
// istio-egressgateway on request): a Deployment running the proxy as a router and its Service,
// plus the ingress Service's ports published on 127.0.0.1 (80 → 8080, 443 → 8443, 31400 → 31400)
// by forwarders to a Ready gateway pod. Nothing else listens outside loopback.
import type { Resource } from '../api/resource.js';
import { TcpForwarder } from './workloads/forwarder.js';
import type { PodRunner } from './workloads/pod.js';

export const GATEWAY_NAMESPACE = 'istio-system';
const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.1.0';

interface GatewayPort {
  name: string;
  port: number;
  targetPort: number;
}

const INGRESS_PORTS: GatewayPort[] = [
  { name: 'status-port', port: 15021, targetPort: 15021 },
  { name: 'http2', port: 80, targetPort: 8080 },
  { name: 'https', port: 443, targetPort: 8443 },
  { name: 'tcp', port: 31400, targetPort: 31400 },
];
const EGRESS_PORTS: GatewayPort[] = [
  { name: 'http2', port: 80, targetPort: 8080 },
  { name: 'https', port: 443, targetPort: 8443 },
];

/** Default host ports on 127.0.0.1 for the ingress Service ports. */
export const DEFAULT_PUBLISH: Readonly<Record<number, number>> = { 80: 8080, 443: 8443, 31400: 31400 };

function gateway(name: string, istio: string, ports: GatewayPort[]): Resource[] {
  const labels = { app: name, istio };
  const sa = `${name}-service-account`;
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa, namespace: GATEWAY_NAMESPACE, labels },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: GATEWAY_NAMESPACE, labels },
      spec: { selector: labels, ports: ports.map((p) => ({ ...p, protocol: 'TCP' })) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: GATEWAY_NAMESPACE, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { 'sidecar.istio.io/inject': 'false' } },
          spec: {
            serviceAccountName: sa,
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'istio-proxy',
                image: PROXY_IMAGE,
                args: ['proxy', 'router', '--domain', `${GATEWAY_NAMESPACE}.svc.cluster.local`],
                ports: ports.map((p) => ({ containerPort: p.targetPort, protocol: 'TCP' })),
                readinessProbe: {
                  httpGet: { path: '/healthz/ready', port: 15021 },
                  periodSeconds: 2,
                  failureThreshold: 30,
                },
              },
            ],
          },
        },
      },
    },
  ];
}

/** istio-system and its gateways, as resources for the config store. */
export function gatewayResources(opts: { egress: boolean }): Resource[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: GATEWAY_NAMESPACE, labels: { 'istio-injection': 'disabled' } },
    },
    ...gateway('istio-ingressgateway', 'ingressgateway', INGRESS_PORTS),
    ...(opts.egress ? gateway('istio-egressgateway', 'egressgateway', EGRESS_PORTS) : []),
  ];
}

/** `--publish HOST:PORT` values over the defaults; e.g. `9080:80`. */
export function publishMap(flags: readonly string[]): Record<number, number> {
  const out: Record<number, number> = { ...DEFAULT_PUBLISH };
  for (const f of flags) {
    const m = /^(\d+):(\d+)$/.exec(f);
    if (!m) throw new Error(`--publish ${f}: expected HOSTPORT:SERVICEPORT, e.g. 9080:80`);
    const svcPort = Number(m[2]);
    if (!INGRESS_PORTS.some((p) => p.port === svcPort))
      throw new Error(`--publish ${f}: the ingress gateway has no port ${svcPort} (it has 80, 443, 31400)`);
    out[svcPort] = Number(m[1]);
  }
  return out;
}

/** Forwarders 127.0.0.1:<host port> → a Ready ingress gateway pod's target port. */
export async function publishIngress(
  publish: Readonly<Record<number, number>>,
  pods: () => Iterable<PodRunner>,
): Promise<TcpForwarder[]> {
  const readyGateway = (): PodRunner | undefined =>
    [...pods()].find(
      (p) =>
        p.namespace === GATEWAY_NAMESPACE && p.plan.labels.istio === 'ingressgateway' && p.status().ready,
    );
  const out: TcpForwarder[] = [];
  try {
    for (const [svcPort, hostPort] of Object.entries(publish)) {
      const target = INGRESS_PORTS.find((p) => p.port === Number(svcPort))!.targetPort;
      const f = new TcpForwarder(() => {
        const pod = readyGateway();
        return pod?.net ? { host: pod.net.ip, port: target } : undefined;
      });
      out.push(await f.listen('127.0.0.1', hostPort));
    }
  } catch (e) {
    await Promise.all(out.map((f) => f.close()));
    throw new Error(`cannot publish the ingress gateway on 127.0.0.1: ${(e as Error).message}`, { cause: e });
  }
  return out;
}
