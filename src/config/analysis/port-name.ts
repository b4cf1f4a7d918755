// service.PortNameAnalyzer: a Service port's protocol comes from appProtocol or its name prefix
// ("http", "http-web", "grpc"…); other names fall back to protocol sniffing (IST0118).
import type { AnalysisContext, Analyzer } from './context.js';
import { PortNameIsNotUnderNamingConvention } from './messages.js';

// Istio's protocol.Parse, lower-cased.
const PROTOCOLS = new Set([
  'http',
  'http2',
  'https',
  'grpc',
  'grpc-web',
  'tcp',
  'tls',
  'udp',
  'mongo',
  'mysql',
  'redis',
  'http_proxy',
]);
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

interface Port {
  name?: string;
  port?: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

function protocolOf(p: Port): string | undefined {
  if (p.protocol === 'UDP') return 'udp';
  if (p.appProtocol) return p.appProtocol.toLowerCase();
  const name = (p.name ?? '').toLowerCase();
  if (name.startsWith('grpc-web')) return 'grpc-web';
  return name.split('-')[0];
}

export const portName: Analyzer = {
  name: 'service.PortNameAnalyzer',
  analyze(ctx: AnalysisContext) {
    for (const svc of ctx.of('', 'Service')) {
      if (SYSTEM_NAMESPACES.has(svc.ns)) continue;
      const ports = ((svc.res.spec ?? {}) as { ports?: Port[] }).ports ?? [];
      ports.forEach((p, i) => {
        if (PROTOCOLS.has(protocolOf(p) ?? '')) return;
        ctx.report(
          svc,
          PortNameIsNotUnderNamingConvention,
          [p.name ?? '', p.port ?? 0, String(p.targetPort ?? p.port ?? '')],
          ['spec', 'ports', i],
        );
      });
    }
  },
};
