// A small ADS client over raw grpc-js for tests and the push benchmark: sends DiscoveryRequests,
// queues responses, and decodes resources only when asked.
import * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage } from '../../src/xds/proto/root.js';

/** An Any as protobufjs decodes it in JSON mode: "@type" plus the unpacked message's fields. */
export type AnyWire = { '@type': string } & Record<string, unknown>;

export interface Response {
  version_info?: string;
  system_version_info?: string;
  type_url: string;
  nonce: string;
  resources?: (AnyWire | { name: string; version: string; resource: AnyWire })[];
  removed_resources?: string[];
}

const SOTW = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const DELTA = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';

export class AdsClient {
  readonly responses: Response[] = [];
  private waiters: (() => void)[] = [];
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<object, Response>;
  closedWith?: grpc.StatusObject;

  constructor(
    address: string,
    readonly nodeId: string,
    readonly mode: 'sotw' | 'delta' = 'sotw',
    /** Node metadata: strings, or string maps such as LABELS. */
    readonly metadata: Record<string, string | Record<string, string>> = {},
    /** Another discovery method, e.g. the per-type ClusterDiscoveryService/StreamClusters. */
    path?: string,
  ) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure());
    const reqType = mode === 'sotw' ? 'DiscoveryRequest' : 'DeltaDiscoveryRequest';
    const resType = mode === 'sotw' ? 'DiscoveryResponse' : 'DeltaDiscoveryResponse';
    this.call = this.client.makeBidiStreamRequest(
      path ?? (mode === 'sotw' ? SOTW : DELTA),
      (v: object) => Buffer.from(encodeMessage(`envoy.service.discovery.v3.${reqType}`, v)),
      (b: Buffer) => decodeMessage<Response>(`envoy.service.discovery.v3.${resType}`, b),
    );
    this.call.on('data', (r: Response) => {
      this.responses.push(r);
      this.wake();
    });
    this.call.on('status', (s: grpc.StatusObject) => {
      this.closedWith = s;
      this.wake();
    });
    this.call.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private node(): object {
    // protobufjs defines google.protobuf.Value with camelCase names, whatever keepCase says.
    const struct = (m: Record<string, string>) => ({
      fields: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { stringValue: v }])),
    });
    const fields = Object.fromEntries(
      Object.entries(this.metadata).map(([k, v]) => [
        k,
        typeof v === 'string' ? { stringValue: v } : { structValue: struct(v) },
      ]),
    );
    return { id: this.nodeId, metadata: { fields } };
  }

  /** SotW request; the node goes on every request (as grpc clients do). */
  request(
    typeUrl: string,
    names: string[] = [],
    ack?: { version: string; nonce: string },
    error?: string,
  ): void {
    this.call.write({
      node: this.node(),
      type_url: typeUrl,
      resource_names: names,
      version_info: ack?.version ?? '',
      response_nonce: ack?.nonce ?? '',
      ...(error ? { error_detail: { code: 3, message: error } } : {}),
    });
  }

  ack(r: Response, names: string[] = []): void {
    if (this.mode === 'delta') return this.delta(r.type_url, { nonce: r.nonce });
    this.request(r.type_url, names, { version: r.version_info ?? '', nonce: r.nonce });
  }

  nack(r: Response, message: string, names: string[] = [], version = ''): void {
    if (this.mode === 'delta') return this.delta(r.type_url, { nonce: r.nonce, error: message });
    this.request(r.type_url, names, { version, nonce: r.nonce }, message);
  }

  delta(
    typeUrl: string,
    o: {
      subscribe?: string[];
      unsubscribe?: string[];
      nonce?: string;
      error?: string;
      initial?: Record<string, string>;
    } = {},
  ): void {
    this.call.write({
      node: this.node(),
      type_url: typeUrl,
      resource_names_subscribe: o.subscribe ?? [],
      resource_names_unsubscribe: o.unsubscribe ?? [],
      initial_resource_versions: o.initial ?? {},
      response_nonce: o.nonce ?? '',
      ...(o.error ? { error_detail: { code: 3, message: o.error } } : {}),
    });
  }

  /** The next response (optionally of one type, skipping none: a different type fails). */
  async next(typeUrl?: string, timeoutMs = 3000): Promise<Response> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses.length === 0) {
      if (this.closedWith) throw new Error(`stream closed: ${this.closedWith.details}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms (${this.nodeId})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const r = this.responses.shift() as Response;
    if (typeUrl && r.type_url !== typeUrl) throw new Error(`expected ${typeUrl}, got ${r.type_url}`);
    return r;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

/** Names and decoded bodies of a response's resources (SotW Any or delta Resource). */
export function resourcesOf(r: Response): { name: string; version?: string; body: AnyWire }[] {
  return (r.resources ?? []).map((x) => {
    if (!('@type' in x)) {
      const d = x as { name: string; version: string; resource: AnyWire };
      return { name: d.name, version: d.version, body: d.resource };
    }
    const body = x as AnyWire;
    return { name: String(body.name ?? body.cluster_name ?? ''), body };
  });
}

export const names = (r: Response): string[] => resourcesOf(r).map((x) => x.name);
