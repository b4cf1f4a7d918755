// envoy.service.secret.v3.SecretDiscoveryService: the agent serves the proxy its `default`
// certificate and `ROOTCA` bundle over SDS (state of the world), pushing again on rotation so
// the proxy swaps certificates without dropping connections.
import * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage, packAny } from '../../xds/proto/root.js';
import { TypeUrl } from '../../xds/type-urls.js';

interface DiscoveryRequest {
  version_info?: string;
  node?: { id?: string };
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: { code?: number; message?: string };
}

const REQ = 'envoy.service.discovery.v3.DiscoveryRequest';
const RES = 'envoy.service.discovery.v3.DiscoveryResponse';

const method = (
  name: string,
  requestStream: boolean,
  responseStream: boolean,
): grpc.MethodDefinition<DiscoveryRequest, Buffer> => ({
  path: `/envoy.service.secret.v3.SecretDiscoveryService/${name}`,
  requestStream,
  responseStream,
  requestSerialize: (m: DiscoveryRequest) => Buffer.from(encodeMessage(REQ, m)),
  requestDeserialize: (b: Buffer) => decodeMessage<DiscoveryRequest>(REQ, b),
  // Responses are encoded by the server once per push, so they travel as bytes.
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
});

export const sdsServiceDefinition = {
  StreamSecrets: method('StreamSecrets', true, true),
  FetchSecrets: method('FetchSecrets', false, false),
} satisfies grpc.ServiceDefinition;

interface Subscriber {
  names: Set<string>;
  push: (names: string[]) => void;
}

export class SdsServer {
  private readonly secrets = new Map<string, object>();
  private version = 0;
  private nonce = 0;
  private readonly subscribers = new Set<Subscriber>();
  /** NACKs seen, for the agent's status and logs. */
  readonly rejects: { node: string; name: string[]; message: string }[] = [];

  constructor(private readonly log: (msg: string) => void = () => undefined) {}

  /** Sets (or replaces) secrets and pushes them to every stream watching them. */
  set(...secrets: { name: string }[]): void {
    this.version++;
    for (const s of secrets) this.secrets.set(s.name, s);
    const names = secrets.map((s) => s.name);
    for (const sub of this.subscribers) {
      const hit = names.filter((n) => sub.names.has(n));
      if (hit.length) sub.push([...sub.names]);
    }
  }

  private response(names: string[]): Buffer {
    const resources = names
      .filter((n) => this.secrets.has(n))
      .map((n) => packAny(TypeUrl.Secret, this.secrets.get(n)!));
    return Buffer.from(
      encodeMessage(RES, {
        version_info: String(this.version),
        resources,
        type_url: TypeUrl.Secret,
        nonce: String(++this.nonce),
      }),
    );
  }

  addTo(server: grpc.Server): void {
    server.addService(sdsServiceDefinition, {
      StreamSecrets: (call: grpc.ServerDuplexStream<DiscoveryRequest, Buffer>) => this.stream(call),
      FetchSecrets: (
        call: grpc.ServerUnaryCall<DiscoveryRequest, Buffer>,
        done: grpc.sendUnaryData<Buffer>,
      ) => done(null, this.response(call.request.resource_names ?? [])),
    });
  }

  private stream(call: grpc.ServerDuplexStream<DiscoveryRequest, Buffer>): void {
    const sub: Subscriber = {
      names: new Set(),
      push: (names) => {
        if (names.some((n) => this.secrets.has(n))) call.write(this.response(names));
      },
    };
    this.subscribers.add(sub);
    call.on('data', (req: DiscoveryRequest) => {
      const node = req.node?.id ?? call.getPeer();
      if (req.type_url && req.type_url !== TypeUrl.Secret) {
        call.destroy(new Error(`SDS serves ${TypeUrl.Secret}, not ${req.type_url}`));
        return;
      }
      const names = new Set(req.resource_names ?? []);
      const changed = names.size !== sub.names.size || [...names].some((n) => !sub.names.has(n));
      sub.names = names;
      if (req.error_detail?.message) {
        // A NACK: the proxy keeps its previous secret; record it and wait for the next change.
        this.rejects.push({ node, name: [...names], message: req.error_detail.message });
        this.log(`SDS NACK from ${node} for ${[...names].join(',')}: ${req.error_detail.message}`);
        return;
      }
      // First request, or a changed subscription, gets an answer; a plain ACK needs none.
      if (changed || !req.response_nonce) sub.push([...names]);
    });
    const end = (): void => {
      this.subscribers.delete(sub);
    };
    call.on('end', () => {
      end();
      call.end();
    });
    call.on('error', end);
    call.on('cancelled', end);
  }
}
