// Listener filter contract: runs on an accepted socket before filter-chain matching and may
// fill in the connection's facts (original destination, SNI, ALPN) without consuming bytes.
import type { Socket } from 'node:net';
import type { Msg } from '../../config/proto.js';
import type { ConnectionInfo } from '../../listener/connection.js';

export interface ListenerFilterFactory<C = unknown> {
  readonly name: string;
  readonly typeUrl: string;
  parse(config: Msg, path: string): C;
  /** resolves when done; a rejection closes the connection */
  create(config: C): (socket: Socket, conn: ConnectionInfo) => Promise<void>;
}
