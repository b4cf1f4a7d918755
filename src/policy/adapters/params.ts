// Reading adapter params the way Mixer's jsonpb decoding does: durations as Go/proto strings.
import { parseDuration } from '../../api/schema/dsl.js';

/** A duration param in milliseconds, or the adapter's default when unset or unparsable. */
export function durationMs(v: unknown, dflt: number): number {
  if (typeof v !== 'string') return dflt;
  const s = parseDuration(v);
  return s === undefined ? dflt : s * 1000;
}
