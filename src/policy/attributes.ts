// The Mixer attribute bag of one inbound request, from an Envoy ext_authz CheckRequest: what
// Istio 1.1's proxy sent (request.*, connection.mtls, source.principal, context.*) plus what its
// kubernetesenv adapter added (source.* and destination.* of the pods, destination.service.*),
// with Istio's attribute names and values.
import type { WorkloadDirectory, Workload } from './workloads.js';

/** A decoded protobuf message (proto field names), as the ext_authz sample reads one. */
type Msg = Record<string, any>;

/** SPIFFE URI → Istio 1.1's principal form (trust-domain/ns/<ns>/sa/<sa>). */
const principalOf = (uri: string): string => uri.replace(/^spiffe:\/\//, '');

function workloadAttributes(prefix: 'source' | 'destination', w: Workload, bag: Map<string, unknown>): void {
  bag.set(`${prefix}.uid`, `kubernetes://${w.name}.${w.namespace}`);
  bag.set(`${prefix}.name`, w.name);
  bag.set(`${prefix}.namespace`, w.namespace);
  bag.set(`${prefix}.labels`, w.labels);
  if (w.serviceAccount) bag.set(`${prefix}.serviceAccount`, w.serviceAccount);
  if (w.workloadName) {
    bag.set(`${prefix}.workload.name`, w.workloadName);
    bag.set(`${prefix}.workload.namespace`, w.namespace);
    bag.set(`${prefix}.workload.uid`, `istio://${w.namespace}/workloads/${w.workloadName}`);
    bag.set(
      `${prefix}.owner`,
      `kubernetes://apis/apps/v1/namespaces/${w.namespace}/deployments/${w.workloadName}`,
    );
  }
}

function timestamp(t: Msg | undefined): Date {
  return t ? new Date(Number(t.seconds ?? 0) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)) : new Date();
}

/** The bag for a CheckRequest's `attributes` (envoy.service.auth.v3.AttributeContext). */
export function checkAttributes(ctx: Msg, directory: WorkloadDirectory): Map<string, unknown> {
  const bag = new Map<string, unknown>();
  const src = ctx.source?.address?.socket_address as Msg | undefined;
  const dst = ctx.destination?.address?.socket_address as Msg | undefined;
  if (src?.address) {
    bag.set('source.ip', src.address);
    const w = directory.workloadAt(src.address as string);
    if (w) workloadAttributes('source', w, bag);
  }
  const srcPrincipal = String(ctx.source?.principal ?? '');
  if (srcPrincipal) {
    bag.set('source.principal', principalOf(srcPrincipal));
    bag.set('source.user', principalOf(srcPrincipal));
  }
  bag.set('connection.mtls', srcPrincipal !== '');
  const dstPrincipal = String(ctx.destination?.principal ?? '');
  if (dstPrincipal) bag.set('destination.principal', principalOf(dstPrincipal));
  if (dst?.address) {
    const port = Number(dst.port_value ?? 0);
    bag.set('destination.ip', dst.address);
    bag.set('destination.port', port);
    const w = directory.workloadAt(dst.address as string);
    if (w) workloadAttributes('destination', w, bag);
    const svc = directory.servicesAt(dst.address as string, port)[0];
    if (svc) {
      bag.set('destination.service.host', svc.hostname);
      bag.set('destination.service.name', svc.name);
      bag.set('destination.service.namespace', svc.namespace);
      bag.set('destination.service.uid', `istio://${svc.namespace}/services/${svc.name}`);
    }
  }

  const http = ctx.request?.http as Msg | undefined;
  bag.set('context.reporter.kind', 'inbound');
  bag.set('context.time', new Date());
  // A TCP connection (network ext_authz) carries no request: Istio 1.1's tcp filter sent none.
  if (!http) {
    bag.set('context.protocol', 'tcp');
    return bag;
  }
  // Like Istio's proxy: every header, pseudo-headers (:authority, :path…) included.
  const headers = { ...((http.headers ?? {}) as Record<string, string>) };
  const path = String(http.path ?? '');
  const q = path.indexOf('?');
  bag.set('request.headers', headers);
  bag.set('request.host', String(http.host ?? ''));
  bag.set('request.method', String(http.method ?? ''));
  bag.set('request.path', path);
  bag.set('request.url_path', q < 0 ? path : path.slice(0, q));
  bag.set('request.query_params', Object.fromEntries(new URLSearchParams(q < 0 ? '' : path.slice(q + 1))));
  bag.set('request.scheme', String(http.scheme ?? 'http'));
  bag.set('request.time', timestamp(ctx.request?.time as Msg | undefined));
  if (http.id) bag.set('request.id', String(http.id));
  if (headers['user-agent'] !== undefined) bag.set('request.useragent', headers['user-agent']);
  if (headers.referer !== undefined) bag.set('request.referer', headers.referer);
  const grpc = (headers['content-type'] ?? '').startsWith('application/grpc');
  bag.set('context.protocol', grpc ? 'grpc' : 'http');
  return bag;
}
