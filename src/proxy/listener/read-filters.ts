// Runs a filter chain's read filters (network RBAC, ext_authz, …) in order on a new connection,
// then hands it to the terminal filter. A filter that answers with a promise holds the connection
// where it is: the socket stays paused and the terminal filter (and its upstream) waits.
import type { Socket } from 'node:net';
import type { ReadFilter, ReadFilterStatus } from '../filters/network/types.js';
import type { ConnectionInfo } from './connection.js';

export function runReadFilters(
  reads: readonly ReadFilter[],
  socket: Socket,
  conn: ConnectionInfo,
  onContinue: () => void,
  from = 0,
): void {
  for (let i = from; i < reads.length; i++) {
    const status = reads[i]!.onNewConnection(socket, conn);
    if (status === 'stop') return void socket.destroy();
    if (status !== 'continue') {
      void status.then((s: ReadFilterStatus) => {
        // The client may have gone while the filter was deciding.
        if (socket.destroyed) return;
        if (s === 'stop') socket.destroy();
        else runReadFilters(reads, socket, conn, onContinue, i + 1);
      });
      return;
    }
  }
  onContinue();
}
