// A mutable header map over Node's lowercase header object (no copy on the way in), with
// Envoy's joined-value lookup for matching and a flat list for the upstream side.
import type { IncomingHttpHeaders } from 'node:http';
import type { Headers } from './stream-info.js';

export type HeaderValue = string | string[] | undefined;

export class HeaderMap implements Headers {
  constructor(readonly raw: Record<string, HeaderValue> = {}) {}

  static from(h: IncomingHttpHeaders): HeaderMap {
    return new HeaderMap(h as Record<string, HeaderValue>);
  }

  get(name: string): string | undefined {
    const v = this.raw[name];
    return v === undefined ? undefined : typeof v === 'string' ? v : v.join(',');
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  set(name: string, value: string): void {
    this.raw[name] = value;
  }

  append(name: string, value: string): void {
    const v = this.raw[name];
    if (v === undefined) this.raw[name] = value;
    else if (typeof v === 'string') this.raw[name] = [v, value];
    else v.push(value);
  }

  remove(name: string): void {
    delete this.raw[name];
  }

  /** flat [name, value, …] without pseudo-headers and without the names in `skip` */
  toFlat(skip: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const k in this.raw) {
      if (k.charCodeAt(0) === 58 || skip.has(k)) continue;
      const v = this.raw[k];
      if (v === undefined) continue;
      if (typeof v === 'string') out.push(k, v);
      else for (const x of v) out.push(k, x);
    }
    return out;
  }
}

/** Hop-by-hop headers a proxy never forwards (RFC 9110 §7.6.1), plus HTTP/2 pseudo/connection ones. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'host',
  'http2-settings',
]);
