// Cluster health_checks: HTTP (path, host, expected statuses; an unexpected status is unhealthy
// at once, healthy again after healthy_threshold successes) and TCP (send/receive payloads,
// unhealthy_threshold network failures). Unhealthy hosts leave the load balancer, /clusters shows
// /failed_active_hc, health_check.attempt/success/failure/network_failure count.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HostHealth } from '../../../src/proxy/upstream/health-check/checker.js';
import { HealthFlag, Host } from '../../../src/proxy/upstream/host.js';
import { adminGet, request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, tempLog, type CountingUpstream } from './fixtures.js';

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('active health checks', () => {
  const status = { a: 200, b: 503 };
  let a: CountingUpstream;
  let b: CountingUpstream;
  let tcp: net.Server;
  let tcpPort: number;
  let px: Running;
  let port: number;
  before(async () => {
    const hc =
      (name: 'a' | 'b') =>
      (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
        if (req.url === '/healthz') res.writeHead(status[name], { 'x-host-seen': req.headers.host ?? '' });
        res.end(name);
      };
    a = await countingUpstream(hc('a'));
    b = await countingUpstream(hc('b'));
    tcp = net.createServer((s) => s.on('data', (d) => s.write(d.toString() === 'PING' ? 'xxPONGyy' : 'NO')));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    tcpPort = (tcp.address() as AddressInfo).port;
    const timing = `timeout: 0.5s, interval: 0.05s, no_traffic_interval: 0.05s`;
    px = await startProxy(
      bootstrap({
        log: tempLog(),
        routes: `
virtual_hosts:
- {name: web, domains: [web], routes: [{match: {prefix: /}, route: {cluster: web}}]}`,
        clusters:
          staticCluster(
            'web',
            [a.port, b.port],
            `
common_lb_config: {healthy_panic_threshold: {value: 0}}
health_checks:
- {${timing}, unhealthy_threshold: 2, healthy_threshold: 2, http_health_check: {path: /healthz}}`,
          ) +
          staticCluster(
            'tcp',
            [tcpPort],
            `
health_checks:
- {${timing}, unhealthy_threshold: 3, healthy_threshold: 1, tcp_health_check: {send: {text: "50494e47"}, receive: [{text: "504f4e47"}]}}`,
          ),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await a.close();
    await b.close();
    tcp.close();
  });

  const flags = async (cluster: string, p: number): Promise<string> => {
    const m = new RegExp(`^${cluster}::127\\.0\\.0\\.1:${p}::health_flags::(.*)$`, 'm').exec(
      (await adminGet(px.admin, '/clusters')).body,
    );
    return m?.[1] ?? 'missing';
  };

  it('a host answering 503 is unhealthy at once and gets no traffic; the host header is the cluster name', async () => {
    await until(
      'a healthy, b failed',
      async () =>
        (await flags('web', a.port)) === 'healthy' && (await flags('web', b.port)) === '/failed_active_hc',
    );
    for (let i = 0; i < 6; i++)
      assert.equal((await request(port, '/', { headers: { host: 'web' } })).body, 'a');
    assert.equal(a.seen.find((s) => s.url === '/healthz')?.headers.host, 'web');
    assert.equal(a.seen.find((s) => s.url === '/healthz')?.headers['user-agent'], 'Envoy/HC');
    assert.ok((await stat(px.admin, 'cluster.web.health_check.attempt'))! >= 2);
    assert.ok((await stat(px.admin, 'cluster.web.health_check.failure'))! >= 1);
    assert.equal(await stat(px.admin, 'cluster.web.health_check.healthy'), 1);
  });

  it('back to healthy after healthy_threshold successes: traffic reaches it again', async () => {
    status.b = 200;
    await until('b healthy', async () => (await flags('web', b.port)) === 'healthy');
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await request(port, '/', { headers: { host: 'web' } })).body);
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });

  it('TCP: send PING, find PONG; a dead server fails after unhealthy_threshold network failures', async () => {
    await until('tcp healthy', async () => (await flags('tcp', tcpPort)) === 'healthy');
    tcp.close();
    await until('tcp failed', async () => (await flags('tcp', tcpPort)) === '/failed_active_hc');
    assert.ok((await stat(px.admin, 'cluster.tcp.health_check.network_failure'))! >= 3);
  });
});

describe('host health state machine', () => {
  it('new hosts start failed; thresholds; an unexpected status is immediate', () => {
    const h = new Host('10.0.0.1', 80);
    const hh = new HostHealth(h, { healthyThreshold: 2, unhealthyThreshold: 3 });
    assert.equal(h.healthFlags, HealthFlag.FAILED_ACTIVE_HC);
    assert.equal(hh.onResult('success'), true);
    assert.equal(h.healthy, true);
    assert.deepEqual(
      ['failure', 'network_failure', 'failure'].map((r) => hh.onResult(r as 'failure')),
      [false, false, true],
    );
    assert.equal(h.healthy, false);
    assert.deepEqual([hh.onResult('success'), hh.onResult('success')], [false, true]);
    assert.equal(hh.onResult('unhealthy'), true);
    assert.equal(h.healthy, false);
  });
});
