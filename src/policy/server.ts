// Mixer's Check API on Envoy's standard wire: envoy.service.auth.v3.Authorization/Check, which
// sidecars call through their ext_authz filter. An allowed request gets OK; a denied one gets
// the HTTP status and `<CODE>:<handler>:<message>` body Istio 1.1's mixer filter replied with.
// When Mixer cannot decide (INTERNAL), policyCheckFailOpen lets the request through.
import * as grpc from '@grpc/grpc-js';
import { CONVERSION, lookupType } from '../xds/proto/root.js';
import { checkAttributes } from './attributes.js';
import type { PolicyEngine } from './engine.js';
import { Code, httpStatusOf, statusBody, type RpcStatus } from './rpc-status.js';
import type { WorkloadDirectory } from './workloads.js';

type Msg = Record<string, unknown>;

export interface PolicyServiceOptions {
  engine: PolicyEngine;
  workloads: WorkloadDirectory;
  /** MeshConfig policyCheckFailOpen, read per call (the mesh config can change). */
  failOpen: () => boolean;
}

function response(s: RpcStatus): Msg {
  if (s.code === Code.OK) return { status: { code: 0 }, ok_response: {} };
  return {
    status: { code: s.code, message: s.message },
    denied_response: {
      status: { code: httpStatusOf(s.code) },
      body: statusBody(s),
      headers: [{ header: { key: 'content-type', value: 'text/plain' } }],
    },
  };
}

/** The decision for one CheckRequest. */
export function decide(req: Msg, o: PolicyServiceOptions): Msg {
  const d = o.engine.check(checkAttributes((req.attributes ?? {}) as Msg, o.workloads));
  if (d.kind === 'status') return response(d.status);
  if (o.failOpen()) return response({ code: Code.OK, message: '' });
  return response({ code: Code.INTERNAL, message: `performing check operation failed: ${d.message}` });
}

export function addPolicyService(server: grpc.Server, o: PolicyServiceOptions): void {
  const Req = lookupType('envoy.service.auth.v3.CheckRequest');
  const Res = lookupType('envoy.service.auth.v3.CheckResponse');
  server.addService(
    {
      Check: {
        path: '/envoy.service.auth.v3.Authorization/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: (m: Msg) => Buffer.from(Req.encode(Req.fromObject(m)).finish()),
        requestDeserialize: (b: Buffer) => Req.toObject(Req.decode(b), CONVERSION),
        responseSerialize: (m: Msg) => Buffer.from(Res.encode(Res.fromObject(m)).finish()),
        responseDeserialize: (b: Buffer) => Res.toObject(Res.decode(b), CONVERSION),
      },
    },
    {
      Check: (call: grpc.ServerUnaryCall<Msg, Msg>, done: grpc.sendUnaryData<Msg>) => {
        try {
          done(null, decide(call.request, o));
        } catch (e) {
          done({ code: grpc.status.INTERNAL, details: (e as Error).message });
        }
      },
    },
  );
}
