// Encodes each generated resource once and shares the bytes across proxies and pushes.
// Generators that hand out the same object to many proxies hit the identity map (no work at all);
// equal content built separately hits the content map (one JSON.stringify, no proto encode).
// The content map keeps two generations so memory is bounded by what the last pushes produced.
import { createHash } from 'node:crypto';
import type { XdsResource } from '../contracts.js';
import { encodeMessage } from '../proto/root.js';
import { messageName } from '../type-urls.js';
import { EncodedList } from './encoded-list.js';
import { encodeAny, type EncodedResource } from './wire.js';

export class ResourceCache {
  private byObject = new WeakMap<object, EncodedResource>();
  private lists = new WeakMap<readonly XdsResource[], EncodedList>();
  private current = new Map<string, EncodedResource>();
  private previous = new Map<string, EncodedResource>();
  /** Proto encodes done (for tests and the bench: proves bytes are reused). */
  encodes = 0;

  encode(typeUrl: string, r: XdsResource): EncodedResource {
    const hit = this.byObject.get(r.resource);
    if (hit && hit.name === r.name && hit.typeUrl === typeUrl) return hit;
    const key = `${typeUrl}\n${r.name}\n${digest(JSON.stringify(r.resource))}`;
    let enc = this.current.get(key);
    if (!enc) {
      enc = this.previous.get(key) ?? this.build(typeUrl, r);
      this.current.set(key, enc);
    }
    this.byObject.set(r.resource, enc);
    return enc;
  }

  /** Encodes a generated set; the same array (shared generation) yields the same list. */
  encodeList(typeUrl: string, resources: readonly XdsResource[]): EncodedList {
    let list = this.lists.get(resources);
    if (!list || list.items[0]?.typeUrl !== typeUrl) {
      list = new EncodedList(resources.map((r) => this.encode(typeUrl, r)));
      this.lists.set(resources, list);
    }
    return list;
  }

  /** Starts a new generation (called on every full push); entries unused for two generations go. */
  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  private build(typeUrl: string, r: XdsResource): EncodedResource {
    this.encodes++;
    const value = encodeMessage(messageName(typeUrl), r.resource);
    const version = digest(value);
    return { name: r.name, typeUrl, value, any: encodeAny(typeUrl, value), version };
  }
}

const digest = (data: string | Uint8Array): string =>
  createHash('sha1').update(data).digest('base64url').slice(0, 16);
