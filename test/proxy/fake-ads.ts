// A tiny ADS server for proxy tests, state of the world and delta: serves whatever resources the
// test sets per type, pushes on change (delta: only what changed, plus removals), and records
// every request (ACKs and NACKs).
import * as grpc from '@grpc/grpc-js';
import { parseProtoJson, type Msg } from '../../src/proxy/config/proto.js';
import { lookupType, packAny } from '../../src/xds/proto/root.js';
import { CONVERSION } from '../../src/xds/proto/root.js';
import { messageName } from '../../src/xds/type-urls.js';

const SVC = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';

interface DeltaStream {
  s: grpc.ServerDuplexStream<Msg, Msg>;
  /** type → name → version last sent */
  sent: Map<string, Map<string, string>>;
}

export class FakeAds {
  readonly requests: Msg[] = [];
  private readonly resources = new Map<string, { version: string; items: Msg[] }>();
  private readonly streams = new Set<grpc.ServerDuplexStream<Msg, Msg>>();
  private readonly deltaStreams = new Set<DeltaStream>();
  private server: grpc.Server | undefined;
  private nonce = 0;
  private waiters: (() => void)[] = [];
  port = 0;

  /** Sets the resources of a type (proto3 JSON as in Envoy YAML) and pushes them. */
  set(typeUrl: string, version: string, items: Msg[]): void {
    const canonical = items.map((i) => parseProtoJson(messageName(typeUrl), i));
    this.resources.set(typeUrl, { version, items: canonical });
    for (const s of this.streams) this.push(s, typeUrl);
    for (const d of this.deltaStreams) if (d.sent.has(typeUrl)) this.pushDelta(d, typeUrl);
  }

  /** Sends what changed since the last push on this stream, and what disappeared. */
  private pushDelta(d: DeltaStream, typeUrl: string): void {
    const r = this.resources.get(typeUrl);
    const sent = d.sent.get(typeUrl) ?? new Map<string, string>();
    const items = r?.items ?? [];
    const name = (i: Msg): string => (i.name ?? i.cluster_name) as string;
    const changed = items.filter((i) => sent.get(name(i)) !== JSON.stringify(i));
    const removed = [...sent.keys()].filter((n) => !items.some((i) => name(i) === n));
    for (const i of changed) sent.set(name(i), JSON.stringify(i));
    for (const n of removed) sent.delete(n);
    d.sent.set(typeUrl, sent);
    if (!changed.length && !removed.length) return;
    d.s.write({
      system_version_info: r?.version ?? '',
      type_url: typeUrl,
      nonce: String(++this.nonce),
      resources: changed.map((i) => ({ name: name(i), version: r!.version, resource: packAny(typeUrl, i) })),
      removed_resources: removed,
    });
  }

  private push(s: grpc.ServerDuplexStream<Msg, Msg>, typeUrl: string): void {
    const r = this.resources.get(typeUrl);
    if (!r) return;
    s.write({
      version_info: r.version,
      type_url: typeUrl,
      nonce: String(++this.nonce),
      resources: r.items.map((i) => packAny(typeUrl, i)),
    });
  }

  async start(port = 0): Promise<number> {
    const method = (name: string, prefix: string): grpc.MethodDefinition<Msg, Msg> => {
      const req = lookupType(`envoy.service.discovery.v3.${prefix}DiscoveryRequest`);
      const resp = lookupType(`envoy.service.discovery.v3.${prefix}DiscoveryResponse`);
      return {
        path: `${SVC}${name}`,
        requestStream: true,
        responseStream: true,
        requestSerialize: (m: Msg) => Buffer.from(req.encode(req.fromObject(m)).finish()),
        requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), CONVERSION) as Msg,
        responseSerialize: (m: Msg) => Buffer.from(resp.encode(resp.fromObject(m)).finish()),
        responseDeserialize: (b: Buffer) => resp.toObject(resp.decode(b), CONVERSION) as Msg,
      };
    };
    const server = new grpc.Server();
    server.addService(
      {
        StreamAggregatedResources: method('StreamAggregatedResources', ''),
        DeltaAggregatedResources: method('DeltaAggregatedResources', 'Delta'),
      },
      {
        DeltaAggregatedResources: (s: grpc.ServerDuplexStream<Msg, Msg>) => {
          const d: DeltaStream = { s, sent: new Map() };
          this.deltaStreams.add(d);
          s.on('data', (m: Msg) => {
            this.requests.push(m);
            for (const w of this.waiters.splice(0)) w();
            if ((m.resource_names_subscribe ?? []).length && !d.sent.has(m.type_url)) {
              // Resume: what the client already has at the same version need not be resent.
              const have = new Map<string, string>();
              const r = this.resources.get(m.type_url);
              for (const [n, v] of Object.entries(
                (m.initial_resource_versions ?? {}) as Record<string, string>,
              )) {
                const cur = r?.items.find((i) => (i.name ?? i.cluster_name) === n);
                if (cur && v === r!.version) have.set(n, JSON.stringify(cur));
              }
              d.sent.set(m.type_url, have);
              this.pushDelta(d, m.type_url);
            }
          });
          s.on('end', () => s.end());
          s.on('error', () => undefined);
          s.on('close', () => this.deltaStreams.delete(d));
        },
        StreamAggregatedResources: (s: grpc.ServerDuplexStream<Msg, Msg>) => {
          this.streams.add(s);
          const sent = new Set<string>();
          s.on('data', (m: Msg) => {
            this.requests.push(m);
            for (const w of this.waiters.splice(0)) w();
            // First request for a type (no nonce yet): answer with what we have.
            if (!m.response_nonce && !sent.has(m.type_url)) {
              sent.add(m.type_url);
              this.push(s, m.type_url);
            }
          });
          s.on('end', () => s.end());
          s.on('error', () => undefined);
          s.on('close', () => this.streams.delete(s));
        },
      },
    );
    this.port = await new Promise<number>((res, rej) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? rej(e) : res(p),
      ),
    );
    this.server = server;
    return this.port;
  }

  /** Resolves when a request matching `pred` has been received. */
  async waitFor(pred: (m: Msg) => boolean, timeoutMs = 5000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.requests.find(pred);
      if (m) return m;
      if (Date.now() > deadline)
        throw new Error(
          `no matching DiscoveryRequest; got ${JSON.stringify(this.requests.map((r) => [r.type_url, r.version_info, r.response_nonce, r.error_detail?.message]))}`,
        );
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  stop(): void {
    for (const s of this.streams) s.destroy();
    for (const d of this.deltaStreams) d.s.destroy();
    this.server?.forceShutdown();
  }
}
