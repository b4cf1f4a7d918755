// envoy.filters.network.ext_authz before tcp_proxy through a real proxy, with a real grpc-js
// Authorization server that decides by the connection's source address: an allowed connection
// echoes; a denied one is closed before any upstream connection is made; while the service thinks,
// the connection is held (bytes sent meanwhile arrive once it allows); an unreachable service
// closes the connection unless failure_mode_allow; Istio's CUSTOM gate (network RBAC shadow rules
// → filter_enabled_metadata) checks only the connections a CUSTOM policy matched.
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { H2, startProxy, staticCluster, stat, tcpExchange, type Running } from '../helpers.js';
import { startGrpcAuthz, type GrpcAuthz } from './fixtures.js';

// 127.0.0.1 is allowed, 127.0.0.3 allowed after a delay, anyone else denied.
const SLOW = '127.0.0.3';
const SLOW_MS = 600;

function startAuthzServer(): Promise<GrpcAuthz> {
  return startGrpcAuthz((req, reply) => {
    const source = req.attributes?.source?.address?.socket_address?.address;
    const answer = (): void =>
      reply(source === '127.0.0.1' || source === SLOW ? { status: { code: 0 } } : { status: { code: 7 } });
    if (source === SLOW) setTimeout(answer, SLOW_MS);
    else answer();
  });
}

/** Connects from `from`, sends "ping", resolves with what came back before the connection closed. */
function exchange(port: number, from = '127.0.0.1', payload = 'ping'): Promise<string> {
  return tcpExchange(port, { from, payload });
}

function listener(name: string, extAuthz: string, before = ''): string {
  return `
  - name: ${name}
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:${before}
      - name: envoy.filters.network.ext_authz
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz
          stat_prefix: ${name}
          transport_api_version: V3
${extAuthz.replace(/^\n/, '').replace(/^/gm, '          ')}
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: ${name}
          cluster: echo`;
}

describe('network ext_authz', () => {
  let authz: Awaited<ReturnType<typeof startAuthzServer>>;
  let echo: net.Server;
  let accepted = 0;
  let received = 0;
  let px: Running;

  before(async () => {
    authz = await startAuthzServer();
    echo = net.createServer((s) => {
      accepted++;
      s.on('data', (c) => ((received += c.length), s.write(`echo:${c.toString()}`)));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    px = await startProxy(`
node: {id: test, cluster: test}
static_resources:
  listeners:
${listener('checked', 'grpc_service: {envoy_grpc: {cluster_name: authz}, timeout: 2s}')}
${listener('down', 'grpc_service: {envoy_grpc: {cluster_name: nowhere}, timeout: 1s}')}
${listener('down_open', 'grpc_service: {envoy_grpc: {cluster_name: nowhere}, timeout: 1s}\nfailure_mode_allow: true')}
${listener(
  'custom',
  `
grpc_service: {envoy_grpc: {cluster_name: authz}, timeout: 2s}
filter_enabled_metadata:
  filter: envoy.filters.network.rbac
  path: [{key: istio_ext_authz_shadow_effective_policy_id}]
  value: {string_match: {prefix: istio-ext-authz}}`,
  `
      - name: envoy.filters.network.rbac
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
          stat_prefix: tcp.
          shadow_rules_stat_prefix: istio_ext_authz_
          shadow_rules:
            action: DENY
            policies:
              istio-ext-authz-ns[foo]-policy[tcp]-rule[0]:
                permissions: [{any: true}]
                principals: [{direct_remote_ip: {address_prefix: 127.0.0.2, prefix_len: 32}}]`,
)}
  clusters:
${(staticCluster('echo', [(echo.address() as AddressInfo).port]) + staticCluster('authz', [authz.port], H2) + staticCluster('nowhere', [1])).replace(/^/gm, '  ')}
`);
  });
  after(async () => {
    await px.stop();
    echo.close();
    authz.close();
  });

  it('allowed: the service sees the addresses, the connection echoes', async () => {
    const port = await px.port('checked');
    assert.equal(await exchange(port), 'echo:ping');
    const attrs = authz.seen.at(-1)!.attributes;
    assert.equal(attrs.source.address.socket_address.address, '127.0.0.1');
    assert.equal(attrs.destination.address.socket_address.port_value, port);
    assert.equal(attrs.request, undefined);
    assert.equal(await stat(px.admin, 'ext_authz.checked.ok'), 1);
    assert.equal(await stat(px.admin, 'ext_authz.checked.total'), 1);
    assert.equal(await stat(px.admin, 'ext_authz.checked.active'), 0);
  });

  it('denied: closed with no upstream connection and no byte forwarded', async () => {
    const [c, r] = [accepted, received];
    assert.equal(await exchange(await px.port('checked'), '127.0.0.2', 'secret'), '');
    await sleep(50);
    assert.equal(accepted, c);
    assert.equal(received, r);
    assert.equal(await stat(px.admin, 'ext_authz.checked.denied'), 1);
    assert.equal(await stat(px.admin, 'ext_authz.checked.cx_closed'), 1);
  });

  it('held while the service decides: no upstream yet, then the early bytes arrive', async () => {
    const c = accepted;
    const done = exchange(await px.port('checked'), SLOW, 'early');
    await sleep(SLOW_MS / 2);
    assert.equal(accepted, c, 'no upstream connection before the check answers');
    assert.equal(await stat(px.admin, 'ext_authz.checked.active'), 1);
    assert.equal(await done, 'echo:early');
    assert.equal(accepted, c + 1);
  });

  it('service unreachable: closed; allowed with failure_mode_allow', async () => {
    const c = accepted;
    assert.equal(await exchange(await px.port('down')), '');
    assert.equal(accepted, c);
    assert.equal(await stat(px.admin, 'ext_authz.down.error'), 1);
    assert.equal(await stat(px.admin, 'ext_authz.down.cx_closed'), 1);
    assert.equal(await exchange(await px.port('down_open')), 'echo:ping');
    assert.equal(await stat(px.admin, 'ext_authz.down_open.failure_mode_allowed'), 1);
  });

  it("Istio CUSTOM: only connections RBAC's shadow rules matched are checked", async () => {
    const port = await px.port('custom');
    const n = authz.seen.length;
    assert.equal(await exchange(port), 'echo:ping');
    assert.equal(authz.seen.length, n, '127.0.0.1 matches no CUSTOM policy: no check');
    assert.equal(await exchange(port, '127.0.0.2'), '');
    assert.equal(authz.seen.length, n + 1);
    assert.equal(await stat(px.admin, 'ext_authz.custom.denied'), 1);
  });
});
