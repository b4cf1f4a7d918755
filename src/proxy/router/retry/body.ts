// The request body kept for replay (Envoy buffers the body for retries and shadows up to the
// request buffer limit): every attempt and mirror reads its own stream fed from one buffer;
// past the limit the body is no longer replayable and further retries are abandoned.
import { PassThrough, type Readable } from 'node:stream';

/** Envoy's default per_connection_buffer_limit_bytes, the retry buffer limit when none is set. */
export const DEFAULT_BUFFER_LIMIT = 1024 * 1024;

export class ReplayableBody {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  /** the primary attempt's stream: its back-pressure pauses the source */
  private primary: PassThrough | undefined;
  private readonly sinks = new Set<PassThrough>();
  replayable = true;

  constructor(
    private readonly source: NodeJS.ReadableStream,
    private readonly limit = DEFAULT_BUFFER_LIMIT,
  ) {
    source.on('data', (c: Buffer) => this.onData(c));
    source.once('end', () => {
      this.ended = true;
      for (const s of this.sinks) s.end();
      this.sinks.clear();
    });
  }

  private onData(c: Buffer): void {
    if (this.replayable) {
      this.size += c.length;
      if (this.size > this.limit) {
        this.replayable = false;
        this.chunks.length = 0;
      } else this.chunks.push(c);
    }
    for (const s of this.sinks)
      if (!s.write(c) && s === this.primary) {
        this.source.pause();
        s.once('drain', () => this.source.resume());
      }
  }

  /** A stream with the whole body for an upstream attempt (primary) or a mirror. */
  stream(primary: boolean): Readable {
    const s = new PassThrough();
    for (const c of this.chunks) s.write(c);
    if (this.ended) s.end();
    else {
      this.sinks.add(s);
      s.once('close', () => this.sinks.delete(s));
      if (primary) this.primary = s;
    }
    return s;
  }
}
