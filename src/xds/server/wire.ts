// Wire format of the discovery service messages (envoy/service/discovery/v3/discovery.proto).
// Responses are assembled from Any bytes encoded once per resource change and shared by every
// proxy, so a push to N proxies costs one encode plus N memcpys; requests are decoded normally.
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

export interface SotwRequest {
  version_info?: string;
  node?: WireNode;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: RpcStatus;
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

export const decodeSotwRequest = (b: Buffer): SotwRequest =>
  decodeMessage<SotwRequest>('envoy.service.discovery.v3.DiscoveryRequest', b);

export const decodeDeltaRequest = (b: Buffer): DeltaRequest =>
  decodeMessage<DeltaRequest>('envoy.service.discovery.v3.DeltaDiscoveryRequest', b);
