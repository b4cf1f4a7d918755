// Network (L4) filter contract: the terminal filter of a filter chain takes over the socket.
import type { Socket } from 'node:net';
import type { Msg } from '../../config/proto.js';
import type { ConnectionInfo } from '../../listener/connection.js';
import type { ProxyContext } from '../../context.js';

export interface NetworkFilter {
  onConnection(socket: Socket, conn: ConnectionInfo): void;
  /** listener drain: stop accepting new streams, finish in-flight ones */
  drain(): Promise<void>;
  /** end of the drain period: close whatever is left */
  close(): void;
  /** RDS names this filter needs (the xDS client subscribes to them) */
  routeConfigNames(): string[];
}

export interface NetworkFilterFactory<C = unknown> {
  readonly name: string;
  readonly typeUrl: string;
  parse(config: Msg, path: string, ctx: ProxyContext): C;
  create(config: C, ctx: ProxyContext): NetworkFilter;
}
