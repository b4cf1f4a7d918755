// Filter-chain selection in Envoy's order (destination port → destination IP → server name →
// transport protocol → application protocols → source), most specific wins at each step.
// Pure: chains parsed from Envoy YAML, connections described as ConnectionInfo.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { ConnectionInfo } from '../../src/proxy/listener/connection.js';
import { parseChainMatch, selectFilterChain } from '../../src/proxy/listener/filter-chain-match.js';
import { parseProtoJson } from '../../src/proxy/config/proto.js';

const chains = (
  parseYaml(`
- {}                                                        # 0 catch-all
- {destination_port: 8080}                                  # 1
- {destination_port: 8080, prefix_ranges: [{address_prefix: 10.0.0.0, prefix_len: 8}]}   # 2
- {destination_port: 8080, prefix_ranges: [{address_prefix: 10.1.0.0, prefix_len: 16}]}  # 3
- {destination_port: 443, server_names: [api.example.com]}  # 4
- {destination_port: 443, server_names: ["*.example.com"]}  # 5
- {destination_port: 443, transport_protocol: tls}          # 6
- {destination_port: 9090, application_protocols: [h2c]}    # 7
- {destination_port: 9090, application_protocols: [http/1.1, http/1.0]}  # 8
- {destination_port: 7000, source_prefix_ranges: [{address_prefix: 192.168.0.0, prefix_len: 16}]}  # 9
- {destination_port: 7000, source_ports: [5555]}            # 10
`) as object[]
).map((m, i) =>
  parseChainMatch(parseProtoJson('envoy.config.listener.v3.FilterChainMatch', m), `filter_chains[${i}]`),
);

function conn(c: Partial<ConnectionInfo>): ConnectionInfo {
  return {
    remoteAddress: '127.0.0.1',
    remotePort: 40000,
    localAddress: '127.0.0.1',
    localPort: 15001,
    originalDst: undefined,
    transportProtocol: 'raw_buffer',
    serverName: '',
    applicationProtocols: [],
    listenerName: 'l',
    ...c,
  };
}

describe('filter chain match', () => {
  const cases: [string, Partial<ConnectionInfo>, number][] = [
    ['unknown port → catch-all', { localPort: 1234 }, 0],
    ['port without a better IP match', { localPort: 8080, localAddress: '192.168.1.1' }, 1],
    ['/8 prefix', { localPort: 8080, localAddress: '10.9.9.9' }, 2],
    ['longest prefix wins', { localPort: 8080, localAddress: '10.1.2.3' }, 3],
    ['exact server name', { localPort: 443, serverName: 'api.example.com', transportProtocol: 'tls' }, 4],
    ['wildcard server name', { localPort: 443, serverName: 'www.example.com', transportProtocol: 'tls' }, 5],
    [
      'no server name match → chain without server_names',
      { localPort: 443, serverName: 'other.org', transportProtocol: 'tls' },
      6,
    ],
    [
      'server names are checked before transport protocol',
      { localPort: 443, serverName: 'api.example.com' },
      4,
    ],
    ['h2c by ALPN / http_inspector', { localPort: 9090, applicationProtocols: ['h2c'] }, 7],
    ['http/1.1', { localPort: 9090, applicationProtocols: ['http/1.1'] }, 8],
    [
      'no protocol matches, and there is no fallback at that port → no chain',
      { localPort: 9090, applicationProtocols: [] },
      -1,
    ],
    ['source prefix', { localPort: 7000, remoteAddress: '192.168.3.4' }, 9],
    [
      'source prefix is more specific than an empty one, even when ports would match',
      { localPort: 7000, remoteAddress: '192.168.3.4', remotePort: 5555 },
      9,
    ],
    ['source port', { localPort: 7000, remoteAddress: '10.0.0.1', remotePort: 5555 }, 10],
  ];
  for (const [name, c, want] of cases) it(name, () => assert.equal(selectFilterChain(chains, conn(c)), want));
});
