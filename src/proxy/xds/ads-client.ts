// ADS client (envoy.service.discovery.v3.AggregatedDiscoveryService), state of the world or
// delta: one gRPC stream, per-type subscriptions, ACK (version + nonce) or NACK (last good
// version plus error_detail), reconnect with jittered exponential back-off (delta resumes with
// initial_resource_versions). Delta updates are folded into the full set per type, so the
// handler always sees a state-of-the-world view. The client only speaks the protocol: what a
// resource means is the handler's business, and the last ACKed config keeps serving meanwhile.
import * as grpc from '@grpc/grpc-js';
import { CONVERSION, lookupType } from '../../xds/proto/root.js';
import type { Msg } from '../config/proto.js';
import { log } from '../log.js';

const SVC = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';

/** Validates and applies one response; returns an error message to NACK with, or undefined. */
export type ResourceHandler = (
  typeUrl: string,
  version: string,
  resources: Msg[],
) => Promise<string | undefined>;

interface Subscription {
  names: string[] | undefined; // undefined = wildcard
  version: string;
  nonce: string;
  /** delta: the accepted resources by name, with their versions */
  accepted: Map<string, { version: string; resource: Msg }>;
  /** delta: names already sent in resource_names_subscribe on this stream */
  sent: Set<string>;
}

export interface AdsClientOptions {
  target: string;
  node: Msg;
  handler: ResourceHandler;
  /** incremental xDS (ads_config.api_type DELTA_GRPC) */
  delta?: boolean;
  /** order in which subscriptions are first sent (CDS before LDS, as Envoy initializes) */
  onConnected?: (connected: boolean) => void;
  /** gRPC method; default ADS. SDS (SecretDiscoveryService/StreamSecrets) speaks the same protocol. */
  method?: string;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export class AdsClient {
  private readonly client: grpc.Client;
  private call: grpc.ClientDuplexStream<Msg, Msg> | undefined;
  private readonly subs = new Map<string, Subscription>();
  private readonly order: string[] = [];
  private sentNode = false;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** serializes handler calls so responses apply in arrival order */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: AdsClientOptions) {
    this.client = new grpc.Client(opts.target, grpc.credentials.createInsecure());
  }

  start(): void {
    this.connect();
  }

  /** Sets the resource names for a type (undefined = wildcard) and sends a request if changed. */
  subscribe(typeUrl: string, names: string[] | undefined): void {
    const cur = this.subs.get(typeUrl);
    if (cur && sameNames(cur.names, names)) return;
    if (!cur) this.order.push(typeUrl);
    const sub = cur ?? { names, version: '', nonce: '', accepted: new Map(), sent: new Set<string>() };
    sub.names = names;
    this.subs.set(typeUrl, sub);
    this.send(typeUrl);
  }

  version(typeUrl: string): string {
    return this.subs.get(typeUrl)?.version ?? '';
  }

  private connect(): void {
    if (this.stopped) return;
    const d = this.opts.delta ? 'Delta' : '';
    const req = lookupType(`envoy.service.discovery.v3.${d}DiscoveryRequest`);
    const resp = lookupType(`envoy.service.discovery.v3.${d}DiscoveryResponse`);
    for (const sub of this.subs.values()) sub.sent.clear();
    const call = this.client.makeBidiStreamRequest<Msg, Msg>(
      this.opts.method ?? `${SVC}${d ? 'DeltaAggregatedResources' : 'StreamAggregatedResources'}`,
      (m) => Buffer.from(req.encode(req.fromObject(m)).finish()),
      (b) => resp.toObject(resp.decode(b), CONVERSION) as Msg,
    );
    this.call = call;
    this.sentNode = false;
    let gotData = false;
    call.on('data', (m: Msg) => {
      if (!gotData) {
        gotData = true;
        this.attempt = 0;
        this.opts.onConnected?.(true);
      }
      this.queue = this.queue.then(() => this.onResponse(m));
    });
    const retry = (): void => {
      if (this.call !== call) return;
      this.call = undefined;
      this.opts.onConnected?.(false);
      this.scheduleReconnect();
    };
    call.on('error', (e: Error) => {
      log.warn(`xds: stream error: ${e.message}`);
      retry();
    });
    call.on('end', retry);
    // Resume every subscription, telling the server which versions we already have.
    for (const t of this.order) this.send(t);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const base = this.opts.backoffBaseMs ?? 500;
    const max = this.opts.backoffMaxMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private send(typeUrl: string, error?: string): void {
    const sub = this.subs.get(typeUrl);
    if (!this.call || !sub) return;
    const m: Msg = this.opts.delta
      ? this.deltaRequest(typeUrl, sub)
      : {
          type_url: typeUrl,
          version_info: sub.version,
          response_nonce: sub.nonce,
          resource_names: sub.names ?? [],
        };
    if (!this.sentNode) {
      m.node = this.opts.node;
      this.sentNode = true;
    }
    if (error) m.error_detail = { code: 3, message: error };
    this.call.write(m);
  }

  /** Subscription changes since the last request on this stream (and, on a new stream, what we have). */
  private deltaRequest(typeUrl: string, sub: Subscription): Msg {
    const m: Msg = { type_url: typeUrl, response_nonce: sub.nonce };
    const want = sub.names ?? ['*'];
    const firstOnStream = sub.sent.size === 0;
    m.resource_names_subscribe = want.filter((n) => !sub.sent.has(n));
    m.resource_names_unsubscribe = [...sub.sent].filter((n) => !want.includes(n));
    if (firstOnStream && sub.accepted.size) {
      m.response_nonce = '';
      m.initial_resource_versions = Object.fromEntries([...sub.accepted].map(([n, r]) => [n, r.version]));
    }
    sub.sent = new Set(want);
    return m;
  }

  private async onResponse(m: Msg): Promise<void> {
    const typeUrl = m.type_url as string;
    const sub = this.subs.get(typeUrl);
    if (!sub) return;
    let version: string;
    let next: Map<string, { version: string; resource: Msg }> | undefined;
    let resources: Msg[];
    if (this.opts.delta) {
      version = (m.system_version_info as string | undefined) ?? '';
      next = new Map(sub.accepted);
      for (const r of (m.resources ?? []) as Msg[]) {
        const { '@type': _t, ...rest } = (r.resource ?? {}) as Msg;
        next.set(r.name as string, { version: (r.version as string | undefined) ?? '', resource: rest });
      }
      for (const n of (m.removed_resources ?? []) as string[]) next.delete(n);
      resources = [...next.values()].map((v) => v.resource);
    } else {
      version = (m.version_info as string | undefined) ?? '';
      resources = ((m.resources ?? []) as Msg[]).map((r) => {
        const { '@type': _t, ...rest } = r;
        return rest;
      });
    }
    let error: string | undefined;
    try {
      error = await this.opts.handler(typeUrl, version, resources);
    } catch (e) {
      error = (e as Error).message;
    }
    sub.nonce = (m.nonce as string | undefined) ?? '';
    if (error) {
      log.warn(`xds: rejecting ${typeUrl} version ${version}: ${error}`);
      this.send(typeUrl, error);
    } else {
      sub.version = version;
      if (next) sub.accepted = next;
      this.send(typeUrl);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.call = undefined;
    this.client.close();
  }
}

function sameNames(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
