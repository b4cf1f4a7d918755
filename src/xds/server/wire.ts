// Wire format of the discovery service messages (envoy/service/discovery/v3/discovery.proto).
// Responses are assembled from Any bytes encoded once per resource change and shared by every
// proxy, so a push to N proxies costs one encode plus N memcpys. SotW requests are read lazily
// (an ACK repeating thousands of names costs a hash, not a decode); delta requests are decoded.
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import { decodeMessage } from '../proto/root.js';

/** A resource as sent on the wire: its Any bytes, computed once and reused across proxies. */
export interface EncodedResource {
  readonly name: string;
  readonly typeUrl: string;
  /** The resource's own message bytes (Any.value). */
  readonly value: Uint8Array;
  /** google.protobuf.Any { type_url, value } bytes. */
  readonly any: Uint8Array;
  /** Content version (hash of the bytes), used as the delta Resource.version. */
  readonly version: string;
}

const LEN = 2; // protobuf wire type for length-delimited fields
const tag = (field: number): number => (field << 3) | LEN;

export function encodeAny(typeUrl: string, value: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32(tag(1)).string(typeUrl).uint32(tag(2)).bytes(value).finish();
}

export interface SotwResponse {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  /** The resources field, already framed (EncodedList.framedResources), shared across proxies. */
  framedResources: Buffer;
  controlPlaneId: string;
}

/** DiscoveryResponse: version_info=1, resources=2 (Any), type_url=4, nonce=5, control_plane=6. */
export function encodeSotwResponse(r: SotwResponse): Buffer {
  const head = protobuf.Writer.create().uint32(tag(1)).string(r.versionInfo).finish();
  const tail = protobuf.Writer.create().uint32(tag(4)).string(r.typeUrl).uint32(tag(5)).string(r.nonce);
  tail.uint32(tag(6)).fork().uint32(tag(1)).string(r.controlPlaneId).ldelim();
  return Buffer.concat([head, r.framedResources, tail.finish()]);
}

export interface DeltaResponse {
  systemVersionInfo: string;
  typeUrl: string;
  nonce: string;
  resources: readonly EncodedResource[];
  removed: readonly string[];
  controlPlaneId: string;
}

/**
 * DeltaDiscoveryResponse: system_version_info=1, resources=2 (Resource), type_url=4, nonce=5,
 * removed_resources=6, control_plane=7. Resource: version=1, resource=2 (Any), name=3.
 */
export function encodeDeltaResponse(r: DeltaResponse): Buffer {
  const w = protobuf.Writer.create().uint32(tag(1)).string(r.systemVersionInfo);
  for (const res of r.resources) {
    w.uint32(tag(2)).fork();
    w.uint32(tag(1)).string(res.version).uint32(tag(2)).bytes(res.any).uint32(tag(3)).string(res.name);
    w.ldelim();
  }
  w.uint32(tag(4)).string(r.typeUrl).uint32(tag(5)).string(r.nonce);
  for (const name of r.removed) w.uint32(tag(6)).string(name);
  w.uint32(tag(7)).fork().uint32(tag(1)).string(r.controlPlaneId).ldelim();
  return Buffer.from(w.finish());
}

/** google.rpc.Status as decoded from a NACK. */
export interface RpcStatus {
  code?: number;
  message?: string;
}

/** envoy.config.core.v3.Node, JSON-shaped (metadata is a google.protobuf.Struct). */
export interface WireNode {
  id?: string;
  cluster?: string;
  metadata?: { fields?: Record<string, unknown> };
  user_agent_name?: string;
  user_agent_version?: string;
  locality?: { region?: string; zone?: string; sub_zone?: string };
}

const DISCOVERY_REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest';

/**
 * A DiscoveryRequest (version_info=1, node=2, resource_names=3, type_url=4, response_nonce=5,
 * error_detail=6) read in one pass over its fields: the strings at once, the node only when asked
 * (a stream's first request), and resource_names as `namesKey`, a hash of their raw bytes. Envoy
 * and gRPC clients repeat every subscribed name in every ACK (150 KB for 3,000 EDS clusters), so
 * an ACK whose names bytes are those the watch was set from needs no decoding at all.
 */
export class SotwRequest {
  version_info?: string;
  type_url?: string;
  response_nonce?: string;
  error_detail?: RpcStatus;
  /**
   * Equal keys mean byte-identical resource_names. Undefined when the names were not one
   * contiguous run of fields (legal, but no known client does it): they are decoded then.
   */
  readonly namesKey: string | undefined;
  private readonly nodeBytes: Uint8Array | undefined;
  private readonly namesBytes: Uint8Array | undefined;
  private names?: string[];
  private decodedNode?: WireNode;

  constructor(private readonly raw: Buffer) {
    const r = protobuf.Reader.create(raw);
    let node: Uint8Array | undefined;
    let namesStart = -1;
    let namesEnd = -1;
    let contiguous = true;
    while (r.pos < r.len) {
      const start = r.pos;
      const t = r.uint32();
      if ((t & 7) !== LEN) {
        r.skipType(t & 7);
        continue;
      }
      switch (t >>> 3) {
        case 1:
          this.version_info = r.string();
          break;
        case 2:
          node = r.bytes();
          break;
        case 3:
          r.skip(r.uint32());
          if (namesStart < 0) namesStart = start;
          else if (namesEnd !== start) contiguous = false;
          namesEnd = r.pos;
          break;
        case 4:
          this.type_url = r.string();
          break;
        case 5:
          this.response_nonce = r.string();
          break;
        case 6:
          this.error_detail = decodeMessage<RpcStatus>('google.rpc.Status', r.bytes());
          break;
        default:
          r.skipType(LEN);
      }
    }
    this.nodeBytes = node;
    this.namesBytes = contiguous ? raw.subarray(Math.max(namesStart, 0), Math.max(namesEnd, 0)) : undefined;
    this.namesKey = this.namesBytes && createHash('sha1').update(this.namesBytes).digest('base64');
  }

  /** The node, decoded on first use. */
  get node(): WireNode | undefined {
    if (this.nodeBytes && !this.decodedNode)
      this.decodedNode = decodeMessage<WireNode>('envoy.config.core.v3.Node', this.nodeBytes);
    return this.decodedNode;
  }

  /** The names, decoded on first use. */
  get resource_names(): string[] {
    if (this.names) return this.names;
    if (!this.namesBytes)
      return (this.names =
        decodeMessage<{ resource_names?: string[] }>(DISCOVERY_REQUEST, this.raw).resource_names ?? []);
    const r = protobuf.Reader.create(this.namesBytes);
    const names: string[] = [];
    while (r.pos < r.len) {
      r.uint32(); // the field 3 tag, checked by the constructor
      names.push(r.string());
    }
    return (this.names = names);
  }
}

export interface DeltaRequest {
  node?: WireNode;
  type_url?: string;
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
  response_nonce?: string;
  error_detail?: RpcStatus;
}

export const decodeSotwRequest = (b: Buffer): SotwRequest => new SotwRequest(b);

export const decodeDeltaRequest = (b: Buffer): DeltaRequest =>
  decodeMessage<DeltaRequest>('envoy.service.discovery.v3.DeltaDiscoveryRequest', b);
