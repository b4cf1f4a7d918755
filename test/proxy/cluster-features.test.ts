// Cluster behaviour end to end: priorities with EDS health status (failover to P1), RING_HASH
// with a generated hash cookie (sticky), hashing on a header, ORIGINAL_DST with
// use_http_header, LOGICAL_DNS, and "no healthy upstream" for an empty assignment.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpBootstrap, request, startProxy, startUpstream, type Running } from './helpers.js';

const ep = (port: number, extra = ''): string =>
  `{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${port}}}}${extra}}`;

describe('cluster features', () => {
  const ups: Awaited<ReturnType<typeof startUpstream>>[] = [];
  let px: Running;
  let port: number;
  before(async () => {
    for (const n of ['a', 'b', 'c', 'd']) ups.push(await startUpstream(n));
    const [a, b, c, d] = ups.map((u) => u.port) as [number, number, number, number];
    px = await startProxy(
      httpBootstrap(
        `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - {match: {prefix: /prio}, route: {cluster: prio}}
  - match: {prefix: /sticky}
    route:
      cluster: ring
      hash_policy: [{cookie: {name: session, ttl: 3600s, path: /}}]
  - match: {prefix: /by-user}
    route: {cluster: maglev, hash_policy: [{header: {header_name: x-user}}]}
  - {match: {prefix: /orig}, route: {cluster: passthrough}}
  - {match: {prefix: /dns}, route: {cluster: logical}}`,
        `
- name: prio
  type: STATIC
  connect_timeout: 1s
  load_assignment:
    cluster_name: prio
    endpoints:
    - priority: 0
      lb_endpoints: [${ep(a, ', health_status: UNHEALTHY')}, ${ep(b, ', health_status: UNHEALTHY')}]
    - priority: 1
      lb_endpoints: [${ep(c)}]
- name: ring
  type: STATIC
  connect_timeout: 1s
  lb_policy: RING_HASH
  load_assignment:
    cluster_name: ring
    endpoints: [{lb_endpoints: [${ep(a)}, ${ep(b)}, ${ep(c)}, ${ep(d)}]}]
- name: maglev
  type: STATIC
  connect_timeout: 1s
  lb_policy: MAGLEV
  load_assignment:
    cluster_name: maglev
    endpoints: [{lb_endpoints: [${ep(a)}, ${ep(b)}, ${ep(c)}, ${ep(d)}]}]
- name: passthrough
  type: ORIGINAL_DST
  lb_policy: CLUSTER_PROVIDED
  connect_timeout: 1s
  original_dst_lb_config: {use_http_header: true}
- name: logical
  type: LOGICAL_DNS
  dns_lookup_family: V4_ONLY
  connect_timeout: 1s
  load_assignment:
    cluster_name: logical
    endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: localhost, port_value: ${d}}}}}]}]`,
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await Promise.all(ups.map((u) => u.close()));
  });

  it('fails over to priority 1 when priority 0 is unhealthy', async () => {
    for (let i = 0; i < 6; i++) assert.equal((await request(port, '/prio')).headers['x-upstream'], 'c');
  });

  it('RING_HASH with a generated cookie keeps a client on one host', async () => {
    const first = await request(port, '/sticky');
    const setCookie = first.headers['set-cookie']?.[0] ?? '';
    const m = /^session="([0-9a-f]+)"; Max-Age=3600; Path=\/; HttpOnly$/.exec(setCookie);
    assert.ok(m, setCookie);
    const host = first.headers['x-upstream'];
    for (let i = 0; i < 8; i++) {
      const r = await request(port, '/sticky', { headers: { cookie: `session="${m[1]}"` } });
      assert.equal(r.headers['x-upstream'], host);
      assert.equal(r.headers['set-cookie'], undefined);
    }
  });

  it('MAGLEV on a header spreads users and keeps each on one host', async () => {
    const seen = new Map<string, string>();
    for (let u = 0; u < 20; u++)
      for (let i = 0; i < 2; i++) {
        const r = await request(port, '/by-user', { headers: { 'x-user': `user-${u}` } });
        const h = String(r.headers['x-upstream']);
        if (seen.has(`user-${u}`)) assert.equal(h, seen.get(`user-${u}`));
        seen.set(`user-${u}`, h);
      }
    assert.ok(new Set(seen.values()).size >= 3, `hosts used: ${[...new Set(seen.values())]}`);
  });

  it('ORIGINAL_DST with use_http_header goes where x-envoy-original-dst-host says', async () => {
    const r = await request(port, '/orig', {
      headers: { 'x-envoy-original-dst-host': `127.0.0.1:${ups[1]!.port}` },
    });
    assert.equal(r.headers['x-upstream'], 'b');
  });

  it('LOGICAL_DNS resolves the hostname', async () => {
    assert.equal((await request(port, '/dns')).headers['x-upstream'], 'd');
  });
});
