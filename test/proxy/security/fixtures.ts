// Fixtures for the security-filter tests: a one-listener bootstrap with chosen HTTP filters before
// the router (optionally behind TLS) and an access log of path, status, flags and details.
import * as grpc from '@grpc/grpc-js';
import { CONVERSION, lookupType } from '../../../src/xds/proto/root.js';
import { fileAccessLog, httpBootstrap, indent } from '../helpers.js';

export { countingUpstream, logLines, tempLog, type CountingUpstream } from '../resilience/fixtures.js';

export const ALL_TO_BACKEND = `
virtual_hosts:
- name: all
  domains: ["*"]
  routes: [{match: {prefix: /}, route: {cluster: backend}}]`;

/** An HTTP RBAC filter entry (YAML list item) with `body` as its typed_config fields. */
export function rbac(body: string): string {
  return `
- name: envoy.filters.http.rbac
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
${indent(body, 4)}
`;
}

/**
 * Bootstrap with listener "http"; `filters` is YAML list items placed before the router;
 * `transport` a transport_socket for the chain; `clusters` YAML list items.
 */
export function bootstrap(opts: {
  clusters: string;
  log: string;
  filters?: string;
  routes?: string;
  transport?: string;
  hcmExtra?: string;
}): string {
  const log = fileAccessLog(
    opts.log,
    '%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%',
  );
  return httpBootstrap(
    opts.routes ?? ALL_TO_BACKEND,
    opts.clusters,
    `${indent(opts.hcmExtra ?? '', 0)}\n${indent(log, 0)}`,
    {
      filters: opts.filters,
      transport: opts.transport,
    },
  );
}

type Json = Record<string, any>;

export interface GrpcAuthz {
  port: number;
  /** every CheckRequest received, in order */
  seen: Json[];
  close(): void;
}

/**
 * A real grpc-js envoy.service.auth.v3.Authorization server on 127.0.0.1:0. Each CheckRequest is
 * recorded in `seen`, then `check` decides it by calling `reply` with a CheckResponse.
 */
export async function startGrpcAuthz(
  check: (req: Json, reply: (res: Json) => void) => void,
): Promise<GrpcAuthz> {
  const Req = lookupType('envoy.service.auth.v3.CheckRequest');
  const Res = lookupType('envoy.service.auth.v3.CheckResponse');
  const seen: Json[] = [];
  const server = new grpc.Server();
  server.addService(
    {
      Check: {
        path: '/envoy.service.auth.v3.Authorization/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: (o: Json) => Buffer.from(Req.encode(Req.fromObject(o)).finish()),
        requestDeserialize: (b: Buffer) => Req.toObject(Req.decode(b), CONVERSION),
        responseSerialize: (o: Json) => Buffer.from(Res.encode(Res.fromObject(o)).finish()),
        responseDeserialize: (b: Buffer) => Res.toObject(Res.decode(b), CONVERSION),
      },
    },
    {
      Check: (call: grpc.ServerUnaryCall<Json, Json>, done: grpc.sendUnaryData<Json>) => {
        seen.push(call.request);
        check(call.request, (res) => done(null, res));
      },
    },
  );
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  return { port, seen, close: () => server.forceShutdown() };
}
