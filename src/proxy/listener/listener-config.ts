// envoy.config.listener.v3.Listener → domain config: address, listener filters, filter chains
// with their match and network filters (resolved by type URL), use_original_dst, bind_to_port.
import type { Socket } from 'node:net';
import { ConfigError, type Msg } from '../config/proto.js';
import type { ProxyContext } from '../context.js';
import { listenerFilterByTypeUrl, networkFilterByTypeUrl, unwrapTypedStruct } from '../filters/registry.js';
import type { ListenerInfo, NetworkFilterFactory, ReadFilterFactory } from '../filters/network/types.js';
import type { ConnectionInfo } from './connection.js';
import { parseChainMatch, type ChainMatch } from './filter-chain-match.js';
import type { TlsContextConfig } from '../tls/context-config.js';
import { parseTransportSocket } from '../tls/transport-socket.js';

export interface FilterChainConfig {
  name: string;
  match: ChainMatch;
  /** non-terminal filters, in order, with their parsed configs */
  readFilters: { factory: ReadFilterFactory; config: unknown }[];
  /** the terminal network filter and its parsed config */
  factory: NetworkFilterFactory;
  config: unknown;
  /** transport_socket: TLS terminated before the network filter; undefined = plaintext */
  tls: TlsContextConfig | undefined;
}

export interface ListenerConfig {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly bindToPort: boolean;
  readonly useOriginalDst: boolean;
  readonly transparent: boolean;
  readonly listenerFilters: readonly ((socket: Socket, conn: ConnectionInfo) => Promise<void>)[];
  readonly chains: readonly FilterChainConfig[];
  readonly defaultChain: FilterChainConfig | undefined;
  readonly raw: Msg;
}

function parseChain(fc: Msg, path: string, ctx: ProxyContext, listener: ListenerInfo): FilterChainConfig {
  const tls = parseTransportSocket(fc.transport_socket, 'downstream', `${path}.transport_socket`);
  const filters = (fc.filters ?? []) as Msg[];
  if (filters.length === 0)
    throw new ConfigError(`${path}.filters`, 'a filter chain needs a terminal network filter');
  const resolve = (f: Msg, i: number): [NetworkFilterFactory | ReadFilterFactory, Msg, string] => {
    const p = `${path}.filters[${i}]`;
    const any = f.typed_config ? unwrapTypedStruct(f.typed_config as Msg) : undefined;
    const url = any?.['@type'] as string | undefined;
    const factory = url ? networkFilterByTypeUrl(url) : undefined;
    if (!factory) throw new ConfigError(p, `unsupported network filter ${url ?? f.name}`);
    const { '@type': _t, ...cfg } = any!;
    return [factory, cfg, `${p}.typed_config`];
  };
  const readFilters = filters.slice(0, -1).map((f, i) => {
    const [factory, cfg, p] = resolve(f, i);
    if (factory.kind !== 'read')
      throw new ConfigError(p, `${factory.name} must be the last filter of the chain`);
    return { factory, config: factory.parse(cfg, p, ctx, listener) };
  });
  const [factory, cfg, p] = resolve(filters[filters.length - 1]!, filters.length - 1);
  if (factory.kind === 'read')
    throw new ConfigError(p, `the last filter must be terminal, not ${factory.name}`);
  return {
    name: (fc.name as string | undefined) ?? '',
    match: parseChainMatch(fc.filter_chain_match, `${path}.filter_chain_match`),
    readFilters,
    factory,
    config: factory.parse(cfg, p, ctx, listener),
    tls,
  };
}

export function parseListener(l: Msg, ctx: ProxyContext): ListenerConfig {
  if (!l.name) throw new ConfigError('name', 'listener name is required');
  const sa = l.address?.socket_address;
  if (!sa) throw new ConfigError('address', 'a socket_address is required');
  const listenerFilters = ((l.listener_filters ?? []) as Msg[]).map((f, i) => {
    const url = f.typed_config?.['@type'] as string | undefined;
    const factory = url ? listenerFilterByTypeUrl(url) : undefined;
    if (!factory)
      throw new ConfigError(`listener_filters[${i}]`, `unsupported listener filter ${url ?? f.name}`);
    return factory.create(factory.parse(f.typed_config, `listener_filters[${i}].typed_config`));
  });
  const listener: ListenerInfo = {
    direction: (l.traffic_direction as ListenerInfo['direction'] | undefined) ?? 'UNSPECIFIED',
  };
  const chains = ((l.filter_chains ?? []) as Msg[]).map((fc, i) =>
    parseChain(fc, `filter_chains[${i}]`, ctx, listener),
  );
  const defaultChain = l.default_filter_chain
    ? parseChain(l.default_filter_chain, 'default_filter_chain', ctx, listener)
    : undefined;
  if (chains.length === 0 && !defaultChain)
    throw new ConfigError('filter_chains', 'no filter chains specified');
  return Object.freeze({
    name: l.name as string,
    address: (sa.address as string | undefined) ?? '0.0.0.0',
    port: Number(sa.port_value ?? 0),
    bindToPort: l.bind_to_port?.value ?? true,
    useOriginalDst: Boolean(l.use_original_dst?.value),
    transparent: Boolean(l.transparent?.value),
    listenerFilters,
    chains,
    defaultChain,
    raw: l,
  });
}
