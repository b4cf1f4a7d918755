// Proxyless gRPC listeners (Istio grpcgen): a client dialing xds:///<host>:<port> asks for listener
// `<host>:<port>` and gets an api_listener whose HttpConnectionManager fetches route `<fqdn>:<port>`.
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext } from '../../push-context.js';
import { resolveHost } from '../../../registry/host.js';
import { isHttpProtocol, type Service } from '../../../registry/model.js';
import { hcmConfig } from '../listener/network-filters.js';

export interface GrpcTarget {
  listenerName: string;
  service: Service;
  port: number;
  /** RDS name: `<fqdn>:<port>` */
  routeName: string;
}

/** The service a `<host>:<port>` name refers to, short names resolved in the proxy's namespace. */
export function resolveGrpcTarget(proxy: ProxyInfo, push: PushContext, name: string): GrpcTarget | undefined {
  const m = /^(.+):(\d+)$/.exec(name);
  if (!m) return undefined;
  const host = m[1]!;
  const port = Number(m[2]);
  const suffix = push.domainSuffix;
  const candidates = [
    resolveHost(host, proxy.namespace, suffix),
    `${host}.svc.${suffix}`,
    `${host}.${suffix}`,
  ];
  const visible = push.servicesFor(proxy);
  const service = candidates.map((h) => visible.find((s) => s.hostname === h)).find((s) => s !== undefined);
  if (!service?.ports.some((p) => p.port === port)) return undefined;
  return { listenerName: name, service, port, routeName: `${service.hostname}:${port}` };
}

export function grpcListenerNames(proxy: ProxyInfo, push: PushContext): string[] {
  return push
    .servicesFor(proxy)
    .flatMap((s) => s.ports.filter((p) => isHttpProtocol(p.protocol)).map((p) => `${s.hostname}:${p.port}`));
}

export function grpcListener(push: PushContext, t: GrpcTarget): object {
  return {
    name: t.listenerName,
    api_listener: {
      api_listener: hcmConfig(push, {
        statPrefix: t.listenerName,
        rds: t.routeName,
        proxyless: true,
      }),
    },
  };
}
