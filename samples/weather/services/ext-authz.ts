// ext-authz: the external authorizer of Istio's ext-authz sample, for AuthorizationPolicy CUSTOM.
// HTTP check service on HTTP_PORT (8000) and gRPC envoy.service.auth.v3.Authorization on
// GRPC_PORT (9000). A request is allowed when it carries `x-ext-authz: allow`, or (gRPC, which
// sees the mTLS peer) when the caller's service account is ALLOW_SERVICE_ACCOUNT — the rule TCP
// connections, which have no headers, are judged by. Allowed: `x-ext-authz-check-result: allowed`
// goes to the upstream. Denied: 403 with a body saying why.
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { CONVERSION, lookupType } from '../../../src/xds/proto/root.js';

const HTTP_PORT = Number(process.env.HTTP_PORT ?? 8000);
const GRPC_PORT = Number(process.env.GRPC_PORT ?? 9000);
const ALLOWED_SA = process.env.ALLOW_SERVICE_ACCOUNT ?? 'a';
const DENIED_BODY = 'denied by ext_authz for not found header `x-ext-authz: allow` in the request';
const RESULT = 'x-ext-authz-check-result';

type Json = Record<string, any>;

const server = http.createServer((req, res) => {
  const allowed = req.headers['x-ext-authz'] === 'allow';
  console.log(`ext-authz http ${req.method} ${req.url} ${allowed ? 'allowed' : 'denied'}`);
  res.writeHead(allowed ? 200 : 403, { [RESULT]: allowed ? 'allowed' : 'denied' });
  res.end(allowed ? '' : DENIED_BODY);
});
server.listen(HTTP_PORT, () => console.log(`ext-authz HTTP check on ${HTTP_PORT}`));

const Req = lookupType('envoy.service.auth.v3.CheckRequest');
const Res = lookupType('envoy.service.auth.v3.CheckResponse');
const header = (key: string, value: string): Json => ({ header: { key, value } });

function check(call: grpc.ServerUnaryCall<Json, Json>, done: grpc.sendUnaryData<Json>): void {
  const attrs = (call.request.attributes ?? {}) as Json;
  const principal = String(attrs.source?.principal ?? '');
  const http = attrs.request?.http as Json | undefined;
  const allowed = http?.headers?.['x-ext-authz'] === 'allow' || principal.endsWith(`/sa/${ALLOWED_SA}`);
  const what = http
    ? `${http.method} ${http.host}${http.path}`
    : `tcp ${attrs.destination?.address?.socket_address?.port_value}`;
  console.log(
    `ext-authz grpc ${what} from ${principal || '(no principal)'} ${allowed ? 'allowed' : 'denied'}`,
  );
  if (allowed)
    return done(null, { status: { code: 0 }, ok_response: { headers: [header(RESULT, 'allowed')] } });
  done(null, {
    status: { code: grpc.status.PERMISSION_DENIED },
    denied_response: {
      status: { code: 'Forbidden' },
      body: DENIED_BODY,
      headers: [header(RESULT, 'denied')],
    },
  });
}

const grpcServer = new grpc.Server();
grpcServer.addService(
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
  { Check: check },
);
grpcServer.bindAsync(`0.0.0.0:${GRPC_PORT}`, grpc.ServerCredentials.createInsecure(), (e) => {
  if (e) throw e;
  console.log(`ext-authz gRPC check on ${GRPC_PORT}, allowing service account ${ALLOWED_SA}`);
});

process.on('SIGTERM', () => {
  server.close();
  grpcServer.forceShutdown();
});
