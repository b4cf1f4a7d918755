// Registration of envoy.filters.network.http_connection_manager.
import type { NetworkFilterFactory } from '../types.js';
import { parseHcm, type HcmConfig } from './config.js';
import { ConnectionManager } from './connection-manager.js';

export const httpConnectionManagerFilter = {
  name: 'envoy.filters.network.http_connection_manager',
  typeUrl:
    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  parse: (c, path, _ctx, listener) => parseHcm(c, path, listener),
  create: (config, ctx) => new ConnectionManager(config, ctx),
} satisfies NetworkFilterFactory<HcmConfig>;
