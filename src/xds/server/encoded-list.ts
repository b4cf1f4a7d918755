// A generated set of resources in wire form, shared by every proxy that gets the same set: its
// SotW `resources` field bytes are framed once, and its fingerprint makes "does this proxy already
// have exactly this?" an O(1) question.
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import { encodeSotwResponse, type EncodedResource, type SotwResponse } from './wire.js';

export class EncodedList {
  private framed?: Buffer;
  private index?: Map<string, EncodedResource>;
  private digest?: string;
  private lastResponse?: { key: string; bytes: Buffer };

  constructor(readonly items: readonly EncodedResource[]) {}

  /** DiscoveryResponse.resources (field 2, one Any each), concatenated; built on first use. */
  framedResources(): Buffer {
    if (!this.framed) {
      const w = protobuf.Writer.create();
      for (const r of this.items) w.uint32((2 << 3) | 2).bytes(r.any);
      this.framed = Buffer.from(w.finish());
    }
    return this.framed;
  }

  /** A whole SotW response of this list, built once for every proxy that gets the same nonce. */
  sotwResponse(r: Omit<SotwResponse, 'framedResources'>): Buffer {
    const key = `${r.versionInfo}\0${r.typeUrl}\0${r.nonce}\0${r.controlPlaneId}`;
    if (this.lastResponse?.key !== key)
      this.lastResponse = {
        key,
        bytes: encodeSotwResponse({ ...r, framedResources: this.framedResources() }),
      };
    return this.lastResponse.bytes;
  }

  /** Names and content versions, hashed: equal fingerprints mean equal content. */
  get fingerprint(): string {
    if (this.digest === undefined) {
      const h = createHash('sha1');
      for (const r of this.items) h.update(r.name).update('\0').update(r.version).update('\n');
      this.digest = h.digest('base64url');
    }
    return this.digest;
  }

  get(name: string): EncodedResource | undefined {
    this.index ??= new Map(this.items.map((r) => [r.name, r]));
    return this.index.get(name);
  }
}

export const EMPTY_LIST = new EncodedList([]);

/**
 * What one proxy was last sent of one type: a shared EncodedList plus this proxy's own changes
 * (incremental EDS, delta), so a thousand proxies with the same config hold one list between them.
 */
export class SentSet {
  private base = EMPTY_LIST;
  /** name → resource sent after the base, or null when removed since. */
  private readonly overrides = new Map<string, EncodedResource | null>();

  get(name: string): EncodedResource | undefined {
    const o = this.overrides.get(name);
    return o === undefined ? this.base.get(name) : (o ?? undefined);
  }

  *values(): IterableIterator<EncodedResource> {
    for (const r of this.base.items) if (!this.overrides.has(r.name)) yield r;
    for (const r of this.overrides.values()) if (r) yield r;
  }

  names(): string[] {
    return [...this.values()].map((r) => r.name);
  }

  /** Everything the proxy has is now `list`. */
  replace(list: EncodedList): void {
    this.base = list;
    this.overrides.clear();
  }

  /** The proxy now has `items` and none of the other `covered` names. */
  update(covered: readonly string[], items: readonly EncodedResource[]): void {
    for (const n of covered) if (this.get(n)) this.overrides.set(n, null);
    for (const r of items) this.overrides.set(r.name, r);
  }

  delete(name: string): void {
    if (this.get(name)) this.overrides.set(name, null);
  }

  /** Whether the proxy has exactly the content of `list`. */
  equals(list: EncodedList): boolean {
    if (this.overrides.size === 0) return this.base === list || this.base.fingerprint === list.fingerprint;
    const mine = [...this.values()];
    return mine.length === list.items.length && mine.every((r) => list.get(r.name)?.version === r.version);
  }
}
