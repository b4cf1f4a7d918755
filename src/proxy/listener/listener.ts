// A live listener: its socket (when bind_to_port), listener filters, and the network filters of
// each filter chain. A config update swaps the chains in place (the socket stays open) and
// drains the old chains' connections; listener.<address>.* stats.
import net, { type Server, type Socket } from 'node:net';
import type { ProxyContext } from '../context.js';
import type { NetworkFilter, ReadFilter } from '../filters/network/types.js';
import { makeCounters, makeGauges } from '../stats/store.js';
import { attachConnection, newConnectionInfo, type ConnectionInfo } from './connection.js';
import { selectFilterChain } from './filter-chain-match.js';
import { fdOf, origDstAddon } from './origdst.js';
import type { ListenerConfig } from './listener-config.js';
import { runReadFilters } from './read-filters.js';
import { DownstreamTls } from '../tls/downstream.js';

const COUNTERS = [
  'downstream_cx_total',
  'downstream_cx_destroy',
  'no_filter_chain_match',
  'downstream_listener_filter_error',
] as const;
const GAUGES = ['downstream_cx_active'] as const;

interface Chains {
  config: ListenerConfig;
  filters: NetworkFilter[];
  defaultFilter: NetworkFilter | undefined;
  /** per chain (then the default chain): the TLS to terminate first */
  transports: (DownstreamTls | undefined)[];
  /** per chain (then the default chain): non-terminal network filters, in order */
  reads: ReadFilter[][];
}

/** Finds the listener a use_original_dst listener hands a connection to. */
export type HandOff = (address: string, port: number) => ActiveListener | undefined;

export class ActiveListener {
  private server: Server | undefined;
  private chains: Chains;
  private readonly stats;
  private readonly gauges;
  readonly statName: string;

  constructor(
    config: ListenerConfig,
    private readonly ctx: ProxyContext,
    private readonly handOff: HandOff,
  ) {
    this.chains = this.build(config);
    this.statName = `${config.address}_${config.port}`;
    const scope = ctx.store.scope(
      `listener.${this.statName}`,
      [['envoy_listener_address', this.statName]],
      'listener',
    );
    this.stats = makeCounters(scope, COUNTERS);
    this.gauges = makeGauges(scope, GAUGES);
  }

  get config(): ListenerConfig {
    return this.chains.config;
  }

  private build(config: ListenerConfig): Chains {
    return {
      config,
      filters: config.chains.map((c) => c.factory.create(c.config, this.ctx)),
      defaultFilter:
        config.defaultChain && config.defaultChain.factory.create(config.defaultChain.config, this.ctx),
      transports: [...config.chains, config.defaultChain].map(
        (c) => c?.tls && new DownstreamTls(c.tls, this.ctx.secrets),
      ),
      reads: [...config.chains, config.defaultChain].map(
        (c) => c?.readFilters.map((r) => r.factory.create(r.config, this.ctx)) ?? [],
      ),
    };
  }

  routeConfigNames(): string[] {
    const all = [...this.chains.filters, ...(this.chains.defaultFilter ? [this.chains.defaultFilter] : [])];
    return all.flatMap((f) => f.routeConfigNames());
  }

  /** Binds the socket (bind_to_port listeners only); resolves with the bound port. */
  async listen(): Promise<number> {
    const c = this.config;
    if (!c.bindToPort) return c.port;
    const server = net.createServer({ pauseOnConnect: true, noDelay: true });
    this.server = server;
    server.on('connection', (s: Socket) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: c.address, port: c.port, backlog: 1024 }, () => resolve());
    });
    // TPROXY: the listening socket must be transparent to accept connections addressed elsewhere.
    if (c.transparent) {
      const fd = fdOf(server);
      const addon = origDstAddon();
      if (!addon || fd === undefined)
        throw new Error(`listener ${c.name}: transparent needs the @weft/origdst addon`);
      addon.setTransparent(fd, 1);
    }
    return (server.address() as net.AddressInfo).port;
  }

  /** The bound port (0 for bind_to_port: false). */
  boundPort(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.config.port;
  }

  private accept(socket: Socket): void {
    const conn = newConnectionInfo(socket, this.config.name);
    void this.runListenerFilters(socket, conn);
  }

  private async runListenerFilters(socket: Socket, conn: ConnectionInfo): Promise<void> {
    socket.on('error', () => socket.destroy());
    try {
      for (const f of this.chains.config.listenerFilters) await f(socket, conn);
    } catch {
      this.stats.downstream_listener_filter_error.value++;
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    if (this.config.useOriginalDst && conn.originalDst) {
      const target = this.handOff(conn.originalDst.address, conn.originalDst.port);
      if (target && target !== this) {
        conn.listenerName = target.config.name;
        return target.dispatch(socket, conn);
      }
    }
    this.dispatch(socket, conn);
  }

  /** Filter-chain match and hand the socket to the chain's terminal network filter. */
  dispatch(socket: Socket, conn: ConnectionInfo): void {
    this.stats.downstream_cx_total.value++;
    this.gauges.downstream_cx_active.value++;
    socket.once('close', () => {
      this.stats.downstream_cx_destroy.value++;
      this.gauges.downstream_cx_active.value--;
    });
    const ch = this.chains;
    const i = selectFilterChain(
      ch.config.chains.map((c) => c.match),
      conn,
    );
    const filter = i >= 0 ? ch.filters[i] : ch.defaultFilter;
    if (!filter) {
      this.stats.no_filter_chain_match.value++;
      socket.destroy();
      return;
    }
    attachConnection(socket, conn);
    const at = i >= 0 ? i : ch.config.chains.length;
    const reads = ch.reads[at]!;
    // Read filters (e.g. network RBAC) run after the handshake, as Envoy's do, so they see the peer.
    const start = (s: Socket): void => runReadFilters(reads, s, conn, () => filter.onConnection(s, conn));
    const tls = ch.transports[at];
    if (tls)
      return void tls.accept(socket, conn, (s) => {
        attachConnection(s, conn);
        start(s);
      });
    start(socket);
  }

  /** In-place update: new connections get the new chains, old ones drain. */
  update(config: ListenerConfig, drainMs: number): void {
    const old = this.chains;
    this.chains = this.build(config);
    void drainChains(old, drainMs);
  }

  /** Stop accepting, drain every connection, close. */
  async stop(drainMs: number): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await drainChains(this.chains, drainMs);
  }

  async drain(drainMs: number): Promise<void> {
    await drainChains(this.chains, drainMs);
  }
}

async function drainChains(c: Chains, drainMs: number): Promise<void> {
  const all = [...c.filters, ...(c.defaultFilter ? [c.defaultFilter] : [])];
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(all.map((f) => f.drain())),
    new Promise<void>((r) => (timer = setTimeout(r, drainMs).unref())),
  ]);
  clearTimeout(timer);
  for (const f of all) f.close();
}
