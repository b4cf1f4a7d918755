// The @weft/origdst addon (SO_ORIGINAL_DST, IP_TRANSPARENT), loaded once; null where it is not
// built (then REDIRECT destinations fall back to the local address and TPROXY is unavailable).
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';

type OrigDst = typeof import('@weft/origdst');

const require = createRequire(import.meta.url);
let addon: OrigDst | null | undefined;

export function origDstAddon(): OrigDst | null {
  if (addon === undefined) {
    try {
      addon = require('@weft/origdst') as OrigDst;
    } catch {
      addon = null;
    }
  }
  return addon;
}

export function fdOf(handleOwner: Socket | Server): number | undefined {
  const fd = (handleOwner as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
