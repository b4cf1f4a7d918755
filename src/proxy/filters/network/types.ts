// Network (L4) filter contract: the terminal filter of a filter chain takes over the socket.
import type { Socket } from 'node:net';
import type { Msg } from '../../config/proto.js';
import type { ConnectionInfo } from '../../listener/connection.js';
import type { ProxyContext } from '../../context.js';

/** What a filter's config may take from its listener (Envoy ListenerFactoryContext). */
export interface ListenerInfo {
  /** traffic_direction: Istio's stats infer the reporter from it */
  readonly direction: 'INBOUND' | 'OUTBOUND' | 'UNSPECIFIED';
}

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
  readonly kind?: 'terminal';
  parse(config: Msg, path: string, ctx: ProxyContext, listener?: ListenerInfo): C;
  create(config: C, ctx: ProxyContext): NetworkFilter;
}

export type ReadFilterStatus = 'continue' | 'stop';

/**
 * A non-terminal network filter (Envoy ReadFilter, e.g. network RBAC, ext_authz): runs on each
 * new connection before the terminal filter and may close it ('stop'). A promise holds the
 * connection (unread, no terminal filter, no upstream) until it settles (Envoy's StopIteration
 * then continueReading).
 */
export interface ReadFilter {
  onNewConnection(socket: Socket, conn: ConnectionInfo): ReadFilterStatus | Promise<ReadFilterStatus>;
}

export interface ReadFilterFactory<C = unknown> {
  readonly name: string;
  readonly typeUrl: string;
  readonly kind: 'read';
  parse(config: Msg, path: string, ctx: ProxyContext, listener?: ListenerInfo): C;
  create(config: C, ctx: ProxyContext): ReadFilter;
}
